package dev.eddy.contracts.egress;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The network addresses a destination's configuration names, by configuration field, so the API can check
 * literal hosts against the {@link EgressPolicy} (delivery checks the resolved addresses again before sending).
 */
public final class DestinationTargets {

    /** One address of a configuration: its field ({@code url}, {@code added.url}, {@code bootstrapServers}, ...). */
    public record Target(String field, String host, int port) {
    }

    private DestinationTargets() {
    }

    /** The targets of a destination of {@code type}; those that cannot be read (templates, bad URLs) are left out. */
    public static List<Target> of(String type, Map<String, Object> configuration) {
        List<Target> targets = new ArrayList<>();
        if (type == null || configuration == null) {
            return targets;
        }
        switch (type) {
            case "webhook" -> url(configuration.get("url")).ifPresent(u -> targets.add(target("url", u)));
            case "http" -> {
                for (String kind : List.of("added", "changed", "removed")) {
                    if (configuration.get(kind) instanceof Map<?, ?> request) {
                        templateUrl(request.get("url")).ifPresent(u -> targets.add(target(kind + ".url", u)));
                    }
                }
            }
            case "kafka" -> {
                if (configuration.get("bootstrapServers") instanceof String servers) {
                    for (String server : servers.split(",")) {
                        hostPort(server.strip(), 9092).ifPresent(t -> targets.add(new Target("bootstrapServers", t.host(), t.port())));
                    }
                }
            }
            case "postgres" -> {
                if (configuration.get("jdbcUrl") instanceof String jdbcUrl && jdbcUrl.startsWith("jdbc:")) {
                    url(jdbcUrl.substring("jdbc:".length())).filter(u -> u.getHost() != null)
                            .ifPresent(u -> targets.add(new Target("jdbcUrl", u.getHost(), u.getPort() > 0 ? u.getPort() : 5432)));
                } else if (configuration.get("host") instanceof String host) {
                    Object port = configuration.get("port");
                    int p = port instanceof Number n ? n.intValue() : port instanceof String s && s.matches("\\d{1,5}") ? Integer.parseInt(s) : 5432;
                    targets.add(new Target("host", host, p));
                }
            }
            default -> {
            }
        }
        return targets;
    }

    /** {@code host:port} or {@code [v6]:port}; the default port when none. */
    public static Optional<Target> hostPort(String server, int defaultPort) {
        if (server.isEmpty()) {
            return Optional.empty();
        }
        String host = server;
        int port = defaultPort;
        int colon = server.lastIndexOf(':');
        if (server.startsWith("[")) {
            int close = server.indexOf(']');
            if (close < 0) {
                return Optional.empty();
            }
            host = server.substring(1, close);
            colon = close + 1 < server.length() && server.charAt(close + 1) == ':' ? close + 1 : -1;
        } else if (colon > 0 && server.indexOf(':') == colon) {
            host = server.substring(0, colon);
        } else {
            colon = -1;
        }
        if (colon > 0) {
            try {
                port = Integer.parseInt(server.substring(colon + 1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.of(new Target("", host, port));
    }

    private static Target target(String field, URI url) {
        return new Target(field, url.getHost(), EgressPolicy.port(url));
    }

    private static Optional<URI> url(Object value) {
        if (!(value instanceof String text)) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(text.trim());
            return uri.getHost() == null ? Optional.empty() : Optional.of(uri);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A URL template whose scheme and authority are literal (no Liquid before the path). */
    private static Optional<URI> templateUrl(Object value) {
        if (!(value instanceof String text)) {
            return Optional.empty();
        }
        String trimmed = text.trim();
        int liquid = trimmed.indexOf('{');
        int schemeEnd = trimmed.indexOf("://");
        if (schemeEnd < 0) {
            return Optional.empty();
        }
        int pathStart = trimmed.indexOf('/', schemeEnd + 3);
        int authorityEnd = pathStart < 0 ? trimmed.length() : pathStart;
        if (liquid >= 0 && liquid < authorityEnd) {
            return Optional.empty();
        }
        return url(trimmed.substring(0, authorityEnd));
    }
}
