package dev.eddy.contracts.destination;

import java.time.Duration;

/** At most {@code requests} requests per {@code per}; {@link #unlimited()} when the destination sets no limit. */
public record RateLimit(int requests, Duration per) {

    public static RateLimit unlimited() {
        return new RateLimit(Integer.MAX_VALUE, Duration.ofSeconds(1));
    }

    public boolean isUnlimited() {
        return requests == Integer.MAX_VALUE;
    }
}
