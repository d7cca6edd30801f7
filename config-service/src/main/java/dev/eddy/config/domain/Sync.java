package dev.eddy.config.domain;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/** A model sent to a destination: schedule and configuration (mode, deleteBehavior, mappings) as the API holds them. */
public record Sync(long id, String slug, long modelId, long destinationId, boolean disabled, ObjectNode schedule,
                   ObjectNode configuration, Instant createdAt, Instant updatedAt) {
}
