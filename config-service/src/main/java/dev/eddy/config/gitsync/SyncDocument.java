package dev.eddy.config.gitsync;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * A sync as Git Sync sees it: model and destination by slug, the destination-dependent {@code config} (kept whole,
 * unknown keys included), the API's schedule object, {@code schedulePaused} (the API's {@code schedulePaused}: no
 * scheduled runs) and {@code disabled} (the API's {@code disabled}: no runs at all).
 *
 * @param disabled null when the file has no {@code disabled} key (files written before Eddy wrote it): an import then
 *                 leaves the sync's {@code disabled} as it is (false for a new sync)
 */
public record SyncDocument(String slug, String model, String destination, ObjectNode config, ObjectNode schedule,
                           boolean schedulePaused, Boolean disabled, Instant updatedAt) {
}
