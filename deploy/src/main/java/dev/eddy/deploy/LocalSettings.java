package dev.eddy.deploy;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The launcher's settings, from the environment: {@code EDDY_HOME} (default {@code .eddy}),
 * {@code EDDY_API_PORT} (8080), {@code EDDY_API_HOST} (else {@code EDDY_HTTP_HOST}, else 127.0.0.1: the API is
 * reachable from this machine only unless opened on purpose), {@code EDDY_API_KEY} (generated once and
 * kept), {@code EDDY_SECRET_KEY} (generated once and kept), {@code EDDY_PG_PORT} (15432),
 * {@code EDDY_KAFKA_PORT} (19092), {@code EDDY_SERVICES_PG_PORT} (the port the services reach Eddy's database on;
 * {@code EDDY_PG_PORT} unless a connection pooler or a fault-injecting proxy stands in front), {@code EDDY_<SERVICE>_PORT} for the internal services (8081-8084),
 * {@code EDDY_JAVA_OPTS} for the services' JVMs, {@code EDDY_REPO} (where the built services are).
 */
record LocalSettings(Path home, Path repoRoot, String apiHost, String apiKey, String secretKey, int postgresPort,
                     int servicesPostgresPort, int kafkaPort, int partitions, Map<ServiceKind, Integer> ports, String javaOptions,
                     int readyTimeoutSeconds) {

    /** The services' JVM options: a small heap, and exit on OutOfMemoryError so the supervisor restarts a service. */
    static final String DEFAULT_JAVA_OPTIONS = "-Xmx384m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError";

    static LocalSettings fromEnvironment(Map<String, String> env) {
        Path repo = Path.of(env.getOrDefault("EDDY_REPO", ".")).toAbsolutePath().normalize();
        Path home = Path.of(env.getOrDefault("EDDY_HOME", repo.resolve(".eddy").toString())).toAbsolutePath().normalize();
        Map<ServiceKind, Integer> ports = new EnumMap<>(ServiceKind.class);
        for (ServiceKind kind : ServiceKind.values()) {
            String variable = kind == ServiceKind.CONFIG ? "EDDY_API_PORT" : "EDDY_" + kind.name() + "_PORT";
            ports.put(kind, intOf(env, variable, kind.defaultPort()));
        }
        return new LocalSettings(home, repo,
                firstSet(env, "EDDY_API_HOST", "EDDY_HTTP_HOST", "127.0.0.1"),
                blankToNull(env.get("EDDY_API_KEY")),
                blankToNull(env.get("EDDY_SECRET_KEY")),
                intOf(env, "EDDY_PG_PORT", 15432),
                intOf(env, "EDDY_SERVICES_PG_PORT", intOf(env, "EDDY_PG_PORT", 15432)),
                intOf(env, "EDDY_KAFKA_PORT", 19092),
                intOf(env, "EDDY_PARTITIONS", 4),
                ports,
                env.getOrDefault("EDDY_JAVA_OPTS", DEFAULT_JAVA_OPTIONS),
                intOf(env, "EDDY_READY_TIMEOUT", 180));
    }

    int port(ServiceKind kind) {
        return ports.get(kind);
    }

    private static int intOf(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, not '" + value + "'");
        }
    }

    private static String firstSet(Map<String, String> env, String name, String otherName, String fallback) {
        String value = blankToNull(env.get(name));
        if (value == null) {
            value = blankToNull(env.get(otherName));
        }
        return value == null ? fallback : value.trim();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
