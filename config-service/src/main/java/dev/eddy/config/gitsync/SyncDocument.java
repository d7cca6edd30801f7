package dev.eddy.config.gitsync;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * A sync as Git Sync sees it: model and destination by slug, the destination-dependent {@code config} (kept whole,
 * unknown keys included), the API's schedule object, and {@code schedulePaused} (the API's {@code disabled}).
 */
public record SyncDocument(String slug, String model, String destination, ObjectNode config, ObjectNode schedule,
                           boolean schedulePaused, Instant updatedAt) {
}
