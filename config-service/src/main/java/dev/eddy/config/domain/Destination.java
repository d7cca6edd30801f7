package dev.eddy.config.domain;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/** Where a sync's changes go; secret configuration fields are sealed. */
public record Destination(long id, String name, String slug, String type, ObjectNode configuration,
                          Instant createdAt, Instant updatedAt) {
}
