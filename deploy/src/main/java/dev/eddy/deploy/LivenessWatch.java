package dev.eddy.deploy;

import java.time.Duration;

/**
 * Decides when the launcher restarts a running service whose {@code /q/health/live} says DOWN (a consumer of it
 * stopped for good): after {@code downChecks} DOWN answers in a row spanning at least {@code downFor}. Never during
 * the service's start-up: the watch only counts once the service answered UP after its (re)start, or once
 * {@code startupGrace} has passed without that. Answers that are not an answer (the port is closed, a timeout) change
 * nothing: a process that exited is restarted by the exit check, one that hangs is not this watch's to judge.
 */
final class LivenessWatch {

    /** What one look at {@code /q/health/live} gave. */
    enum Answer {
        UP, DOWN, NONE
    }

    private final int downChecks;
    private final long downForNanos;
    private final long startupGraceNanos;
    private long startedAt;
    private boolean started;
    private int downInARow;
    private long firstDownAt;

    LivenessWatch(int downChecks, Duration downFor, Duration startupGrace, long nowNanos) {
        this.downChecks = downChecks;
        this.downForNanos = downFor.toNanos();
        this.startupGraceNanos = startupGrace.toNanos();
        restarted(nowNanos);
    }

    /** The service was (re)started now: its start-up begins again. */
    void restarted(long nowNanos) {
        startedAt = nowNanos;
        started = false;
        downInARow = 0;
    }

    /** Counts one answer; true when the service should be restarted now. */
    boolean observe(Answer answer, long nowNanos) {
        if (!started) {
            if (answer == Answer.UP || nowNanos - startedAt >= startupGraceNanos) {
                started = true;
            } else {
                return false;
            }
        }
        switch (answer) {
            case UP -> downInARow = 0;
            case DOWN -> {
                if (downInARow++ == 0) {
                    firstDownAt = nowNanos;
                }
            }
            case NONE -> {
                // neither up nor down
            }
        }
        return downInARow >= downChecks && nowNanos - firstDownAt >= downForNanos;
    }

    /** True while the service is still starting (its answers are not counted). */
    boolean starting() {
        return !started;
    }
}
