package dev.eddy.delivery.spi;

import java.time.Duration;
import java.util.Optional;

/**
 * A write failed for a passing reason and may succeed if repeated: the runtime retries it. When the retries
 * are used up, a {@linkplain #destinationUnreachable() unreachable} destination makes the run fatal, while a
 * destination that answered (throttling, server errors) fails only the rows of the write.
 */
public final class RetriableDeliveryException extends Exception {

    private final boolean destinationUnreachable;
    private final Duration retryAfter;

    private RetriableDeliveryException(String message, boolean destinationUnreachable, Duration retryAfter,
                                       Throwable cause) {
        super(message, cause);
        this.destinationUnreachable = destinationUnreachable;
        this.retryAfter = retryAfter;
    }

    /** The destination could not be reached: connection refused, unknown host, timeout. */
    public static RetriableDeliveryException unreachable(String message, Throwable cause) {
        return new RetriableDeliveryException(message, true, null, cause);
    }

    /** The destination answered but cannot take the write now (429, 5xx); {@code retryAfter} may be null. */
    public static RetriableDeliveryException unavailable(String message, Duration retryAfter) {
        return new RetriableDeliveryException(message, false, retryAfter, null);
    }

    public boolean destinationUnreachable() {
        return destinationUnreachable;
    }

    /** How long the destination asked us to wait before the next attempt ({@code Retry-After}). */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
