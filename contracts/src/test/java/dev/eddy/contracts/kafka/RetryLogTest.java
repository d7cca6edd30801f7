package dev.eddy.contracts.kafka;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RetryLogTest {

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void logsTheFirstFailureThenAtMostOnePerInterval() {
        TestClock clock = new TestClock();
        RetryLog log = new RetryLog(clock, Duration.ofSeconds(30));
        assertEquals(RetryLog.Verdict.FIRST, log.failed());
        int logged = 0;
        // a retry every 2 s for 10 minutes: one line per 30 s, not 300
        for (int i = 0; i < 300; i++) {
            clock.now = clock.now.plusSeconds(2);
            if (log.failed() == RetryLog.Verdict.AGAIN) {
                logged++;
            }
        }
        assertEquals(20, logged);
        assertEquals(301, log.failures());
        assertEquals(Duration.ofMinutes(10), log.since());
        log.reset();
        assertEquals(0, log.failures());
        assertEquals(RetryLog.Verdict.FIRST, log.failed());
    }
}
