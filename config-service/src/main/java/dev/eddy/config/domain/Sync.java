package dev.eddy.config.domain;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * A model sent to a destination: schedule and configuration (mode, deleteBehavior, mappings) as the API holds them.
 *
 * @param disabled       the sync never runs: triggers are refused and its schedule does not fire
 * @param schedulePaused its schedule does not fire, but API, dashboard and sequence triggers still run it
 */
public record Sync(long id, String slug, long modelId, long destinationId, boolean disabled, boolean schedulePaused,
                   ObjectNode schedule, ObjectNode configuration, Instant createdAt, Instant updatedAt) {
}
