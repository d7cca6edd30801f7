package dev.eddy.diff.service;

/**
 * A delivery result arrived for a run whose change set is not committed yet (its planning transaction
 * is still open, or was rolled back by a crash and will be replayed); {@link OutcomeRecorder} waits for it.
 */
public class RunNotPlannedException extends RuntimeException {
    public RunNotPlannedException(String syncId, String runId) {
        super("sync " + syncId + " run " + runId + ": delivery result before the change set was committed");
    }
}
