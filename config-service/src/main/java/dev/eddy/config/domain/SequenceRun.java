package dev.eddy.config.domain;

import com.fasterxml.jackson.databind.node.ArrayNode;

import java.time.Instant;
import java.util.Set;

/**
 * One run of a sync sequence. {@code steps} is the sequence's step list as it was when the run was created, each
 * element extended with {@code syncRunId}, {@code status} ({@code pending} until triggered, then the sync run's
 * status, or {@code skipped}), {@code finishedAt} and {@code error}; a sequence edited mid-run changes later runs only.
 */
public record SequenceRun(long id, long sequenceId, String status, String trigger, String triggerId, Instant createdAt,
                          Instant startedAt, Instant finishedAt, String error, ArrayNode steps) {

    /** Queued behind the sequence's running run (a sequence never runs at the same time as itself). */
    public static final String PENDING = "pending";
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";

    /** Step status before the step's sync was triggered, and of steps never reached. */
    public static final String STEP_PENDING = "pending";
    public static final String STEP_SKIPPED = "skipped";

    public static final Set<String> TERMINAL = Set.of(DONE, FAILED, CANCELLED);

    public boolean isTerminal() {
        return TERMINAL.contains(status);
    }
}
