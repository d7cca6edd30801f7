package dev.eddy.scheduler.messaging;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scheduler's clock in tests: a frozen instant (the middle of a minute when the tests start) that only the
 * tests move forward, so schedules fire without waiting and never because real time crossed a slot boundary
 * while a test looked for "no further fire".
 */
@Alternative
@Priority(1)
@Singleton
public class TestClock extends Clock {

    private static final Instant START = Instant.now().truncatedTo(ChronoUnit.MINUTES).plusSeconds(30);
    private static final AtomicLong OFFSET_MILLIS = new AtomicLong();

    /** Moves every scheduler's notion of "now" forward. */
    public static void advance(Duration by) {
        OFFSET_MILLIS.addAndGet(by.toMillis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return START.plusMillis(OFFSET_MILLIS.get());
    }
}
