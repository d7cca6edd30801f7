package dev.eddy.contracts.failure;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BackoffTest {

    @Test
    void doublesFromTheInitialWaitUpToTheCapWithTheSecondHalfRandom() {
        Backoff low = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> 0.0);
        Backoff high = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> 0.999999);
        assertEquals(Duration.ofMillis(50), low.delay(1));
        assertEquals(Duration.ofMillis(99), high.delay(1));
        assertEquals(Duration.ofMillis(100), low.delay(2));
        assertEquals(Duration.ofMillis(200), low.delay(3));
        assertEquals(Duration.ofMillis(2500), low.delay(7));   // 6400 capped at 5000, half of it random
        assertEquals(Duration.ofMillis(4999), high.delay(7));
        assertEquals(Duration.ofMillis(2500), low.delay(1_000_000));
        assertEquals(Duration.ofMillis(4999), high.delay(Integer.MAX_VALUE));
    }

    @Test
    void refusesAnInitialWaitAboveTheCap() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(6), Duration.ofSeconds(5)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(5)));
    }
}
