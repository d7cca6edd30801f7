package dev.eddy.delivery.service;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What delivery remembers about the runs it is delivering, in memory and for the most recent runs only: a
 * run's fatal error (so its later batches are not sent), its rows with an outcome, and when its last progress
 * event went out. After a restart a run's later batches are tried again, which at-least-once delivery allows.
 */
@ApplicationScoped
public class RunTracker {

    private static final int MAX_RUNS = 10_000;

    /** One run's delivery state. */
    public static final class RunState {
        private volatile String fatalError;
        private long rowsWithOutcome;
        private Instant lastProgressAt;

        public String fatalError() {
            return fatalError;
        }

        /** Records the run's first fatal error; later ones are kept out, the first is the cause. */
        public synchronized boolean markFatal(String error) {
            if (fatalError != null) {
                return false;
            }
            fatalError = error;
            return true;
        }

        public synchronized long addOutcomes(int rows) {
            rowsWithOutcome += rows;
            return rowsWithOutcome;
        }

        public synchronized long rowsWithOutcome() {
            return rowsWithOutcome;
        }

        /** True, and the time noted, when no progress event went out within the last {@code interval}. */
        public synchronized boolean progressDue(Instant now, Duration interval) {
            if (lastProgressAt != null && now.isBefore(lastProgressAt.plus(interval))) {
                return false;
            }
            lastProgressAt = now;
            return true;
        }
    }

    private final Map<String, RunState> runs = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RunState> eldest) {
            return size() > MAX_RUNS;
        }
    };

    public synchronized RunState run(String runId) {
        return runs.computeIfAbsent(runId, id -> new RunState());
    }
}
