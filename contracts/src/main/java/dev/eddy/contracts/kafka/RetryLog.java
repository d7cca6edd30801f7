package dev.eddy.contracts.kafka;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Counts the failures in a row of one thing being retried and says which to log: the first, then at most one per
 * {@code interval}, so a retry every few seconds for an hour does not flood the log.
 */
final class RetryLog {

    enum Verdict {
        /** The first failure: log it with its cause. */
        FIRST,
        /** A later failure, {@code interval} after the last one logged. */
        AGAIN,
        /** Not worth a line. */
        QUIET
    }

    private final Clock clock;
    private final Duration interval;
    private int failures;
    private Instant firstAt;
    private Instant loggedAt;

    RetryLog(Clock clock, Duration interval) {
        this.clock = clock;
        this.interval = interval;
    }

    Verdict failed() {
        Instant now = clock.instant();
        failures++;
        if (firstAt == null) {
            firstAt = now;
            loggedAt = now;
            return Verdict.FIRST;
        }
        if (!now.isBefore(loggedAt.plus(interval))) {
            loggedAt = now;
            return Verdict.AGAIN;
        }
        return Verdict.QUIET;
    }

    /** Failures in a row so far. */
    int failures() {
        return failures;
    }

    /** Time since the first failure. */
    Duration since() {
        return firstAt == null ? Duration.ZERO : Duration.between(firstAt, clock.instant());
    }

    /** The thing succeeded: the next failure is a first again. */
    void reset() {
        failures = 0;
        firstAt = null;
        loggedAt = null;
    }
}
