package dev.eddy.scheduler.messaging;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** The scheduler's clock in tests: real time plus an offset the tests move forward, so schedules fire without waiting. */
@Alternative
@Priority(1)
@Singleton
public class TestClock extends Clock {

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
        return Instant.now().plusMillis(OFFSET_MILLIS.get());
    }
}
