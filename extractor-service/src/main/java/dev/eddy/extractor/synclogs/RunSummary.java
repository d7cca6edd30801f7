package dev.eddy.extractor.synclogs;

import java.time.Instant;

/** One row of {@code sync_runs}: a finished run with Hightouch's counts. */
public record RunSummary(String syncId, String syncRunId, String primaryKey, String destination, String modelName,
                         String error, String status, Instant startedAt, Instant finishedAt,
                         Counts planned, Counts succeeded, Counts failed) {

    /** Added / changed / removed counts. */
    public record Counts(long add, long change, long remove) {
        static Counts of(dev.eddy.contracts.avro.Counts c) {
            return c == null ? new Counts(0, 0, 0) : new Counts(c.getAddedCount(), c.getChangedCount(), c.getRemovedCount());
        }

        /** Attempted = succeeded + failed: every row the run sent, or could not send. */
        Counts plus(Counts other) {
            return new Counts(add + other.add, change + other.change, remove + other.remove);
        }
    }

    public Counts attempted() {
        return succeeded.plus(failed);
    }
}
