package dev.eddy.config.domain;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * A sync sequence: syncs run one after another, scheduled like a sync or triggered by hand. Each element of
 * {@code steps} is {@code {syncId, failurePolicy}}.
 */
public record Sequence(long id, String name, String slug, ObjectNode schedule, boolean schedulePaused, ArrayNode steps,
                       Instant createdAt, Instant updatedAt) {

    /** Stop the sequence when the step's run fails, is cancelled or interrupted. */
    public static final String STOP_ON_FATAL = "stop_on_fatal";
    /** Also stop when the step's run rejected rows (failed rows or a {@code warning} status). */
    public static final String STOP_ON_FATAL_OR_REJECTED = "stop_on_fatal_or_rejected";
    /** Go on with the next step whatever the outcome. */
    public static final String NEVER = "never";
}
