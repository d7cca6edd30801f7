package dev.eddy.delivery.connector;

import dev.eddy.delivery.spi.RetriableDeliveryException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** How HTTP connectors read failures: transport errors, retriable statuses, {@code Retry-After}, body excerpts. */
public final class HttpErrors {

    private static final int EXCERPT_CHARS = 200;

    private HttpErrors() {
    }

    /** 429 and 5xx: the destination may take the request later. */
    public static boolean retriable(int status) {
        return status == 429 || status >= 500;
    }

    /** A transport failure as a retriable, destination-unreachable error. */
    public static RetriableDeliveryException unreachable(URI uri, Throwable e) {
        Throwable cause = e;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof HttpTimeoutException) {
            return RetriableDeliveryException.unreachable("no answer from " + host(uri) + " within the timeout", cause);
        }
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return RetriableDeliveryException.unreachable("interrupted while calling " + host(uri), cause);
        }
        return RetriableDeliveryException.unreachable("cannot reach " + host(uri) + ": " + describe(cause), cause);
    }

    /** A 429 or 5xx answer as a retriable error honouring {@code Retry-After}. */
    public static RetriableDeliveryException unavailable(HttpTransport.Answer answer, Clock clock) {
        String retryAfter = answer.header("Retry-After");
        return RetriableDeliveryException.unavailable(reason(answer), retryAfter == null ? null : parseRetryAfter(retryAfter, clock));
    }

    /** "HTTP status: body excerpt". */
    public static String reason(HttpTransport.Answer answer) {
        return "HTTP " + answer.status() + ": " + excerpt(answer.body());
    }

    /** {@code Retry-After} as delay-seconds or an HTTP date; null when it is neither. */
    public static Duration parseRetryAfter(String value, Clock clock) {
        String text = value.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(text)));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(clock.instant(), ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    public static String host(URI uri) {
        return uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    }

    private static String describe(Throwable e) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        String message = e.getMessage();
        if ((message == null || message.isBlank()) && e.getCause() != null) {
            message = e.getCause().getMessage();
        }
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : " (" + message + ")");
    }

    public static String excerpt(String body) {
        if (body == null || body.isBlank()) {
            return "(empty body)";
        }
        String flat = body.replaceAll("\\s+", " ").trim();
        return flat.length() <= EXCERPT_CHARS ? flat : flat.substring(0, EXCERPT_CHARS) + "…";
    }
}
