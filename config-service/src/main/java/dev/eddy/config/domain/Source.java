package dev.eddy.config.domain;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/** A warehouse connection; secret configuration fields are sealed. */
public record Source(long id, String name, String slug, String type, ObjectNode configuration,
                     Instant createdAt, Instant updatedAt) {
}
