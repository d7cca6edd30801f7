package dev.eddy.delivery.retry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When to retry a failed write: exponential backoff with jitter, bounded by a number of attempts and a
 * deadline, honouring a destination's {@code Retry-After}. Time comes from a {@link Clock} and waiting goes
 * through a {@link Sleeper}, so tests neither sleep nor depend on the wall clock.
 */
public final class RetryPolicy {

    /**
     * @param maxAttempts    attempts in all, the first one included
     * @param deadline       how long after the first attempt a retry may still start
     * @param initialBackoff the backoff before the first retry, doubled before each next one
     * @param maxBackoff     the largest backoff (a longer {@code Retry-After} is still honoured)
     */
    public record Settings(int maxAttempts, Duration deadline, Duration initialBackoff, Duration maxBackoff) {
        public Settings {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
        }
    }

    /** Waits; the production one is {@code Thread::sleep}. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final Settings settings;
    private final Clock clock;
    private final Sleeper sleeper;
    private final DoubleSupplier jitter;

    /** @param jitter a source of numbers in [0, 1) */
    public RetryPolicy(Settings settings, Clock clock, Sleeper sleeper, DoubleSupplier jitter) {
        this.settings = settings;
        this.clock = clock;
        this.sleeper = sleeper;
        this.jitter = jitter;
    }

    /** The same policy (clock, sleeper, jitter) with other settings: a sync's own retry configuration. */
    public RetryPolicy with(Settings other) {
        return new RetryPolicy(other, clock, sleeper, jitter);
    }

    public Settings settings() {
        return settings;
    }

    /** Starts counting for one operation; call it just before its first attempt. */
    public Attempts start() {
        return new Attempts(clock.instant());
    }

    /**
     * The backoff before retry number {@code retry} (1 for the first retry): {@code initial * 2^(retry-1)},
     * capped at the maximum, then "equal jitter": a random point in its upper half.
     */
    Duration backoff(int retry) {
        long initial = settings.initialBackoff().toMillis();
        long capped = settings.maxBackoff().toMillis();
        long base = retry - 1 >= 62 ? capped : Math.min(capped, initial << Math.min(retry - 1, 30));
        if (base < 0) {
            base = capped;
        }
        long half = base / 2;
        return Duration.ofMillis(half + Math.round(jitter.getAsDouble() * (base - half)));
    }

    /** The attempts of one operation so far. */
    public final class Attempts {
        private final Instant startedAt;
        private int made = 1;

        private Attempts(Instant startedAt) {
            this.startedAt = startedAt;
        }

        /** Attempts made so far, the first one included. */
        public int made() {
            return made;
        }

        /**
         * Decides whether another attempt may follow the failed one and, if so, waits before it.
         *
         * @param retryAfter how long the destination asked to wait, if it did; waited at least that long
         * @return false when the attempts are used up or the next attempt would start after the deadline
         */
        public boolean awaitNext(Optional<Duration> retryAfter) throws InterruptedException {
            if (made >= settings.maxAttempts()) {
                return false;
            }
            Duration delay = backoff(made);
            if (retryAfter.isPresent() && retryAfter.get().compareTo(delay) > 0) {
                delay = retryAfter.get();
            }
            Instant next = clock.instant().plus(delay);
            if (next.isAfter(startedAt.plus(settings.deadline()))) {
                return false;
            }
            sleeper.sleep(delay);
            made++;
            return true;
        }
    }
}
