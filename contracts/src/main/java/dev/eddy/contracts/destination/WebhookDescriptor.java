package dev.eddy.contracts.destination;

import dev.eddy.contracts.validation.KnownKeys;

import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code webhook} destination: {@code {"url", "headers"?, "signingSecret"?}}. Every mode and sync type (the
 * receiver sees each row's op), up to 1000 rows per request, no default rate limit.
 */
public final class WebhookDescriptor implements DestinationDescriptor {

    public static final String TYPE = "webhook";
    public static final WebhookDescriptor INSTANCE = new WebhookDescriptor();
    /** The configuration's keys ({@code headers} holds the user's header names, not checked). */
    static final KnownKeys KNOWN_KEYS = KnownKeys.of("url", "headers", "signingSecret");
    /** Headers java.net.http sets itself and refuses to take from a caller. */
    static final Set<String> RESTRICTED_HEADERS = Set.of("connection", "content-length", "expect", "host", "upgrade");

    private WebhookDescriptor() {
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
        return RateLimit.unlimited();
    }

    @Override
    public boolean isSecret(List<String> path) {
        return path.size() == 2 && path.get(0).equals("headers") && CredentialHeaders.isCredential(path.get(1));
    }

    @Override
    public Optional<KnownKeys> knownKeys() {
        return Optional.of(KNOWN_KEYS);
    }

    @Override
    public List<ConfigProblem> validate(Map<String, Object> configuration) {
        Map<String, Object> config = configuration == null ? Map.of() : configuration;
        List<ConfigProblem> problems = new ArrayList<>();
        Object url = config.get("url");
        if (!(url instanceof String text) || text.isBlank()) {
            problems.add(new ConfigProblem("url", "is required"));
        } else {
            httpUrlProblem(text).ifPresent(problem -> problems.add(new ConfigProblem("url", problem)));
        }
        Object secret = config.get("signingSecret");
        if (secret != null && (!(secret instanceof String text) || text.isEmpty())) {
            problems.add(new ConfigProblem("signingSecret", "must be a non-empty string"));
        }
        headerProblems(config.get("headers"), problems);
        return problems;
    }

    /** Why {@code url} is not an absolute http(s) URL, if it is not. */
    static java.util.Optional<String> httpUrlProblem(String url) {
        try {
            URI uri = URI.create(url.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                return java.util.Optional.of("must be an absolute http or https URL");
            }
            return java.util.Optional.empty();
        } catch (IllegalArgumentException e) {
            return java.util.Optional.of("is not a URL: " + e.getMessage());
        }
    }

    /** The rules for a {@code headers} object of header names to (possibly sealed) string values. */
    static void headerProblems(Object headers, List<ConfigProblem> problems) {
        if (headers == null) {
            return;
        }
        if (!(headers instanceof Map<?, ?> map)) {
            problems.add(new ConfigProblem("headers", "must be an object of header names to values"));
            return;
        }
        for (Map.Entry<?, ?> header : map.entrySet()) {
            String name = String.valueOf(header.getKey());
            if (!(header.getValue() instanceof String)) {
                problems.add(new ConfigProblem("headers." + name, "must be a string"));
            } else if (RESTRICTED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                problems.add(new ConfigProblem("headers." + name, "is set by Eddy and cannot be configured"));
            } else if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                problems.add(new ConfigProblem("headers." + name, "is not a valid header name"));
            }
        }
    }
}
