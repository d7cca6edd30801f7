package dev.eddy.delivery.retry;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryPolicyTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private final List<Duration> slept = new ArrayList<>();
    private final RetryPolicy.Sleeper sleeper = duration -> {
        slept.add(duration);
        clock.advance(duration);
    };

    private RetryPolicy policy(int attempts, Duration deadline, double jitter) {
        return new RetryPolicy(new RetryPolicy.Settings(attempts, deadline, Duration.ofMillis(100), Duration.ofSeconds(1)),
                clock, sleeper, () -> jitter);
    }

    @Test
    void stopsWhenTheAttemptsAreUsedUp() throws Exception {
        RetryPolicy.Attempts attempts = policy(5, Duration.ofSeconds(60), 0.5).start();

        for (int retry = 1; retry <= 4; retry++) {
            assertTrue(attempts.awaitNext(Optional.empty()), "retry " + retry);
        }
        assertFalse(attempts.awaitNext(Optional.empty()));
        assertEquals(5, attempts.made());
        assertEquals(4, slept.size());
    }

    @Test
    void backsOffExponentiallyWithJitterInTheUpperHalfAndACap() throws Exception {
        RetryPolicy low = policy(10, Duration.ofMinutes(5), 0.0);
        RetryPolicy high = policy(10, Duration.ofMinutes(5), 0.999999);

        assertEquals(List.of(50L, 100L, 200L, 400L, 500L, 500L),
                List.of(1, 2, 3, 4, 5, 6).stream().map(n -> low.backoff(n).toMillis()).toList());
        assertEquals(List.of(100L, 200L, 400L, 800L, 1000L, 1000L),
                List.of(1, 2, 3, 4, 5, 6).stream().map(n -> high.backoff(n).toMillis()).toList());
        assertEquals(1000L, high.backoff(200).toMillis());
    }

    @Test
    void waitsTheBackoffBeforeEachRetry() throws Exception {
        RetryPolicy.Attempts attempts = policy(4, Duration.ofSeconds(60), 0.0).start();

        while (attempts.awaitNext(Optional.empty())) {
            // retrying
        }

        assertEquals(List.of(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200)), slept);
    }

    @Test
    void honoursARetryAfterLongerThanTheBackoff() throws Exception {
        RetryPolicy.Attempts attempts = policy(5, Duration.ofSeconds(60), 0.0).start();

        assertTrue(attempts.awaitNext(Optional.of(Duration.ofSeconds(7))));
        assertTrue(attempts.awaitNext(Optional.of(Duration.ofMillis(1))));

        assertEquals(List.of(Duration.ofSeconds(7), Duration.ofMillis(100)), slept);
    }

    @Test
    void givesUpWhenTheNextAttemptWouldStartAfterTheDeadline() throws Exception {
        RetryPolicy.Attempts attempts = policy(100, Duration.ofSeconds(2), 0.999999).start();

        int retries = 0;
        while (attempts.awaitNext(Optional.empty())) {
            retries++;
        }

        // 100 + 200 + 400 + 800 = 1.5 s; a next 1 s backoff would pass the 2 s deadline
        assertEquals(4, retries);
        assertTrue(slept.stream().mapToLong(Duration::toMillis).sum() <= 2000);
    }

    @Test
    void givesUpAtOnceWhenRetryAfterPassesTheDeadline() throws Exception {
        RetryPolicy.Attempts attempts = policy(5, Duration.ofSeconds(60), 0.0).start();

        assertFalse(attempts.awaitNext(Optional.of(Duration.ofSeconds(120))));
        assertTrue(slept.isEmpty());
    }

    @Test
    void theDeadlineCountsTimeSpentInAttempts() throws Exception {
        RetryPolicy.Attempts attempts = policy(5, Duration.ofSeconds(10), 0.0).start();

        clock.advance(Duration.ofSeconds(10));

        assertFalse(attempts.awaitNext(Optional.empty()));
    }
}
