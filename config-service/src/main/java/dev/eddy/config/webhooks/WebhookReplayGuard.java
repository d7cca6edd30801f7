package dev.eddy.config.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refuses replayed webhook deliveries. Neither dbt Cloud nor Fivetran signs a timestamp header; both sign the body,
 * which carries the event's time (dbt Cloud {@code timestamp}, Fivetran {@code created}). So a delivery is refused
 * when that signed time is further than {@code eddy.webhooks.max-age} from now, and an exact replay inside that
 * window (the same signature again, remembered per instance for twice the window) is refused too.
 */
@ApplicationScoped
public class WebhookReplayGuard {

    private final Duration window;
    private final Clock clock;
    private final Map<String, Instant> seen = new ConcurrentHashMap<>();

    @jakarta.inject.Inject
    public WebhookReplayGuard(WebhookSettings settings) {
        this(settings.maxAge(), Clock.systemUTC());
    }

    WebhookReplayGuard(Duration window, Clock clock) {
        this.window = window;
        this.clock = clock;
    }

    /** Why the signed delivery must be refused as a replay, or empty when it is fresh and new. */
    public Optional<String> refusal(JsonNode event, String timeField, String signature) {
        Instant now = clock.instant();
        seen.values().removeIf(at -> at.isBefore(now.minus(window.multipliedBy(2))));
        Instant sent;
        try {
            sent = Instant.parse(event.path(timeField).asText(""));
        } catch (DateTimeParseException e) {
            return Optional.of("the signed body carries no " + timeField + " (an ISO instant), so it cannot be told from a replay");
        }
        if (Duration.between(sent, now).abs().compareTo(window) > 0) {
            return Optional.of("the event's " + timeField + " " + sent + " is more than " + window
                    + " from now: refused as a replay");
        }
        if (seen.containsKey(key(signature))) {
            return Optional.of("this delivery (same body and signature) was already received: refused as a replay");
        }
        return Optional.empty();
    }

    /** Remembers a delivery that was handled, so the same one again is refused. */
    public void handled(String signature) {
        seen.put(key(signature), clock.instant());
    }

    private static String key(String signature) {
        return signature.trim().toLowerCase(java.util.Locale.ROOT);
    }
}
