package dev.eddy.delivery.spi;

import dev.eddy.contracts.destination.RateLimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Spaces a sync's requests to a destination so they stay within its rate limit: at most {@code requests} per
 * {@code per}, evenly spread (one slot every {@code per / requests}), shared by every thread writing for the
 * sync. Connectors call {@link #acquire()} before each request they make.
 */
public final class RequestThrottle {

    /** Waits; the production one is {@code Thread::sleep}. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private static final RequestThrottle UNLIMITED = new RequestThrottle(RateLimit.unlimited(), Clock.systemUTC(), d -> { });

    private final RateLimit limit;
    private final Clock clock;
    private final Sleeper sleeper;
    private final long spacingNanos;
    private Instant nextSlot;

    public RequestThrottle(RateLimit limit, Clock clock, Sleeper sleeper) {
        this.limit = limit;
        this.clock = clock;
        this.sleeper = sleeper;
        this.spacingNanos = limit.isUnlimited() ? 0 : Math.max(1, limit.per().toNanos() / Math.max(1, limit.requests()));
    }

    public static RequestThrottle unlimited() {
        return UNLIMITED;
    }

    public RateLimit limit() {
        return limit;
    }

    /** Blocks until the next request may start. */
    public void acquire() throws InterruptedException {
        if (spacingNanos == 0) {
            return;
        }
        Duration wait;
        synchronized (this) {
            Instant now = clock.instant();
            Instant slot = nextSlot == null || nextSlot.isBefore(now) ? now : nextSlot;
            nextSlot = slot.plusNanos(spacingNanos);
            wait = Duration.between(now, slot);
        }
        if (!wait.isZero() && !wait.isNegative()) {
            sleeper.sleep(wait);
        }
    }
}
