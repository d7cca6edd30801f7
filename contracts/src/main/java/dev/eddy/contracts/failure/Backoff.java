package dev.eddy.contracts.failure;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: before attempt {@code n + 1} wait {@code min(max, initial * 2^(n-1))}, of which
 * the second half is random (so consumers that failed together do not retry together), never more than {@code max}.
 */
public final class Backoff {

    private final long initialMillis;
    private final long maxMillis;
    private final DoubleSupplier random;

    /** @param random values in [0, 1) */
    public Backoff(Duration initial, Duration max, DoubleSupplier random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, was " + initial + " and " + max);
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    public Backoff(Duration initial, Duration max) {
        this(initial, max, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** How long to wait after the {@code failures}-th failure in a row (1 for the first). */
    public Duration delay(int failures) {
        int doublings = Math.max(0, Math.min(failures - 1, 30));
        long base = Math.min(maxMillis, initialMillis << doublings);
        long half = base / 2;
        return Duration.ofMillis(Math.min(maxMillis, base - half + (long) (random.getAsDouble() * half)));
    }

    public Duration max() {
        return Duration.ofMillis(maxMillis);
    }
}
