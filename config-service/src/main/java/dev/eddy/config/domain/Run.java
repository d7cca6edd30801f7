package dev.eddy.config.domain;

import java.time.Instant;
import java.util.Set;

/** One run of a sync as the run history holds it; counts are null until an event tells them. */
public record Run(long id, long syncId, String status, Instant createdAt, Instant startedAt, Instant finishedAt,
                  Long querySize, RowCounts plannedRows, RowCounts successfulRows, RowCounts failedRows,
                  Double completionRatio, String error, String errorCode, boolean fullResync, String trigger) {

    public static final String QUEUED = "queued";

    /** Statuses a run never leaves. */
    public static final Set<String> TERMINAL = Set.of("success", "warning", "failed", "cancelled", "interrupted");

    public boolean isTerminal() {
        return TERMINAL.contains(status);
    }

    /** A run just triggered through the API. */
    public static Run queued(long id, long syncId, Instant createdAt, boolean fullResync, String trigger) {
        return new Run(id, syncId, QUEUED, createdAt, null, null, null, null, null, null, null, null, null,
                fullResync, trigger);
    }
}
