package dev.eddy.contracts.destination;

import dev.eddy.contracts.validation.KnownKeys;

import dev.eddy.contracts.template.InvalidTemplateException;
import dev.eddy.contracts.template.Liquid;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code http} destination (Hightouch's "HTTP Request"): per event kind ({@code added}, {@code changed},
 * {@code removed}) a {@code method}, a {@code url} Liquid template and optional {@code body} / {@code batchBody}
 * templates; {@code headers}, {@code signingSecret}, {@code batched}. Every mode and sync type, up to 1000 rows per
 * write, 100 requests per second unless the sync says otherwise. Templates must parse here already (the same
 * parser delivery renders them with), so a typo is a 422 rather than a failed run.
 */
public final class HttpRequestDescriptor implements DestinationDescriptor {

    public static final String TYPE = "http";
    public static final HttpRequestDescriptor INSTANCE = new HttpRequestDescriptor();
    public static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
    /** The event kinds a request can be configured for, in the order they are written. */
    public static final List<String> EVENT_KINDS = List.of("added", "changed", "removed");
    /** A request's keys, per event kind. */
    static final KnownKeys REQUEST_KEYS = KnownKeys.of("method", "url", "body", "batchBody");
    /** The configuration's keys ({@code headers} holds the user's header names, not checked). */
    static final KnownKeys KNOWN_KEYS = KnownKeys.of("headers", "signingSecret", "batched")
            .with(EVENT_KINDS.get(0), REQUEST_KEYS).with(EVENT_KINDS.get(1), REQUEST_KEYS)
            .with(EVENT_KINDS.get(2), REQUEST_KEYS);

    private HttpRequestDescriptor() {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Set<SyncMode> supportedModes() {
        return EnumSet.allOf(SyncMode.class);
    }

    @Override
    public Set<SyncType> supportedTypes() {
        return EnumSet.allOf(SyncType.class);
    }

    @Override
    public int maxBatchSize() {
        return 1000;
    }

    @Override
    public RateLimit defaultRateLimit() {
        // a generic API: be polite unless the sync says otherwise
        return new RateLimit(100, Duration.ofSeconds(1));
    }

    @Override
    public boolean isSecret(List<String> path) {
        return WebhookDescriptor.INSTANCE.isSecret(path);
    }

    @Override
    public Optional<KnownKeys> knownKeys() {
        return Optional.of(KNOWN_KEYS);
    }

    @Override
    public List<ConfigProblem> validate(Map<String, Object> configuration) {
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, Object> config = configuration == null ? Map.of() : configuration;
        boolean any = false;
        for (String kind : EVENT_KINDS) {
            Object value = config.get(kind);
            if (value == null) {
                continue;
            }
            any = true;
            if (!(value instanceof Map<?, ?> request)) {
                problems.add(new ConfigProblem(kind, "must be an object {method, url, body}"));
                continue;
            }
            Object method = request.get("method");
            if (!(method instanceof String m) || !METHODS.contains(m.toUpperCase(Locale.ROOT))) {
                problems.add(new ConfigProblem(kind + ".method", "must be one of "
                        + String.join(", ", METHODS.stream().sorted().toList())));
            }
            if (!(request.get("url") instanceof String url) || url.isBlank()) {
                problems.add(new ConfigProblem(kind + ".url", "is required (a Liquid template)"));
            } else {
                templateProblem(problems, kind + ".url", url);
            }
            for (String field : List.of("body", "batchBody")) {
                Object template = request.get(field);
                if (template != null && !(template instanceof String)) {
                    problems.add(new ConfigProblem(kind + "." + field, "must be a string (a Liquid template)"));
                } else if (template != null) {
                    templateProblem(problems, kind + "." + field, (String) template);
                }
            }
        }
        if (!any) {
            problems.add(new ConfigProblem("added", "at least one of added, changed, removed must be configured"));
        }
        Object batched = config.get("batched");
        if (batched != null && !(batched instanceof Boolean)) {
            problems.add(new ConfigProblem("batched", "must be true or false"));
        }
        Object secret = config.get("signingSecret");
        if (secret != null && (!(secret instanceof String text) || text.isEmpty())) {
            problems.add(new ConfigProblem("signingSecret", "must be a non-empty string"));
        }
        WebhookDescriptor.headerProblems(config.get("headers"), problems);
        return problems;
    }

    private static void templateProblem(List<ConfigProblem> problems, String field, String template) {
        try {
            Liquid.parse(template);
        } catch (InvalidTemplateException e) {
            problems.add(new ConfigProblem(field, e.getMessage()));
        }
    }
}
