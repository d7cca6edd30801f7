package dev.eddy.diff.service;

import java.time.Instant;
import java.util.List;

/** A run as the diff service tracks it (one row of {@code diff.runs}). */
public record Run(String runId, String syncId, long attempt, State state, String specJson,
                  boolean fullResync, boolean resetCdc, Long querySize, List<String> columns,
                  RowCounts planned, long unsent, RowCounts ok, RowCounts failed,
                  long duplicateCount, List<String> duplicates, Instant startedAt) {

    /** Where a run is in the diff service. */
    public enum State {
        /** Row batches are being staged. */
        STAGING,
        /** The change set was published; delivery outcomes are awaited. */
        DELIVERING,
        /** The terminal event was published; nothing more happens. */
        FINISHED
    }
}
