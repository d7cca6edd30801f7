package dev.eddy.contracts;

import java.time.Duration;

/**
 * Paces a worker's progress events for one run: {@link #beat()} is called as work gets done (a row read, a change
 * published) and publishes when {@link #INTERVAL} passed since the last one, so a long but healthy run keeps showing
 * progress to scheduler-service's run progress deadline, and a stuck one (no rows, no changes) does not. Not thread-safe.
 */
public final class ProgressBeat {

    /** At most this long between two progress events of a working stage (well under the progress deadline). */
    public static final Duration INTERVAL = Duration.ofSeconds(20);

    private final long intervalNanos;
    private final Runnable publish;
    private long last;

    public ProgressBeat(Duration interval, Runnable publish) {
        this.intervalNanos = interval.toNanos();
        this.publish = publish;
        this.last = System.nanoTime();
    }

    /** Publishes a progress event if the interval passed since the last one (or since this beat was made). */
    public void beat() {
        long now = System.nanoTime();
        if (now - last >= intervalNanos) {
            publish.run();
            last = System.nanoTime();
        }
    }
}
