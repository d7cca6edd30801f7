package dev.eddy.contracts.destination;

import dev.eddy.contracts.validation.KnownKeys;

import dev.eddy.contracts.secrets.SecretBox;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code kafka} destination: {@code {"bootstrapServers", "topic", "properties"?}} (extra producer settings).
 * Every mode and sync type (each record carries its op in a header), up to 5000 rows per write, 3 attempts (the
 * producer retries within its own delivery timeout too). Producer settings holding credentials (any name with
 * "password", "secret", "token", "jaas", "credentials" or "user.info", or ending in ".key") are secrets.
 * <p>
 * Only the producer settings of {@link #ALLOWED_PROPERTIES} are accepted, each with a checked value: the producer runs
 * inside delivery-service, so a setting that loads a class ({@code *.class}, {@code interceptor.classes}), reads a
 * file ({@code ssl.truststore.location}, a JAAS {@code keyTab}) or expands a config provider
 * ({@code config.providers}, {@code ${env:...}}) would run code, read files or hand delivery's environment to any
 * broker. TLS material is given as PEM text ({@code ssl.truststore.certificates}, {@code ssl.keystore.certificate.chain},
 * {@code ssl.keystore.key}); SASL is PLAIN or SCRAM.
 */
public final class KafkaTopicDescriptor implements DestinationDescriptor {

    public static final String TYPE = "kafka";
    public static final KafkaTopicDescriptor INSTANCE = new KafkaTopicDescriptor();
    /** The configuration's keys ({@code properties} are checked against {@link #ALLOWED_PROPERTIES} instead). */
    static final KnownKeys KNOWN_KEYS = KnownKeys.of("bootstrapServers", "topic", "properties");

    /** The producer settings a destination may set. */
    public static final Set<String> ALLOWED_PROPERTIES = Set.of(
            "acks", "enable.idempotence", "compression.type", "linger.ms", "batch.size", "max.request.size",
            "request.timeout.ms", "delivery.timeout.ms", "max.block.ms", "client.id",
            "security.protocol", "sasl.mechanism", "sasl.jaas.config",
            "ssl.protocol", "ssl.enabled.protocols", "ssl.endpoint.identification.algorithm",
            "ssl.truststore.type", "ssl.truststore.certificates",
            "ssl.keystore.type", "ssl.keystore.certificate.chain", "ssl.keystore.key", "ssl.key.password");
    private static final Set<String> NUMBERS = Set.of("linger.ms", "batch.size", "max.request.size", "request.timeout.ms",
            "delivery.timeout.ms", "max.block.ms");
    // generous for any real producer, small enough that a setting cannot make delivery allocate its heap away
    private static final long MAX_NUMBER = 64L * 1024 * 1024;
    private static final Set<String> JAAS_MODULES = Set.of("org.apache.kafka.common.security.plain.PlainLoginModule",
            "org.apache.kafka.common.security.scram.ScramLoginModule");

    private KafkaTopicDescriptor() {
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
        return 5000;
    }

    @Override
    public RateLimit defaultRateLimit() {
        return RateLimit.unlimited();
    }

    @Override
    public int defaultMaxAttempts() {
        return 3;
    }

    @Override
    public boolean isSecret(List<String> path) {
        if (path.size() != 2 || !path.get(0).equals("properties")) {
            return false;
        }
        String name = path.get(1).toLowerCase(Locale.ROOT);
        return name.contains("password") || name.contains("secret") || name.contains("token") || name.contains("jaas")
                || name.contains("credentials") || name.contains("user.info") || name.endsWith(".key");
    }

    @Override
    public Optional<KnownKeys> knownKeys() {
        return Optional.of(KNOWN_KEYS);
    }

    @Override
    public List<ConfigProblem> validate(Map<String, Object> configuration) {
        Map<String, Object> config = configuration == null ? Map.of() : configuration;
        List<ConfigProblem> problems = new ArrayList<>();
        if (!(config.get("bootstrapServers") instanceof String servers) || servers.isBlank()) {
            problems.add(new ConfigProblem("bootstrapServers", "is required (host:port[,host:port])"));
        }
        if (!(config.get("topic") instanceof String topic) || !topic.matches("[a-zA-Z0-9._-]{1,249}")) {
            problems.add(new ConfigProblem("topic", "is required: 1-249 letters, digits, '.', '_' and '-'"));
        }
        Object properties = config.get("properties");
        if (properties != null) {
            if (!(properties instanceof Map<?, ?> map)) {
                problems.add(new ConfigProblem("properties", "must be an object of producer settings"));
            } else {
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!(e.getValue() instanceof String || e.getValue() instanceof Number || e.getValue() instanceof Boolean)) {
                        problems.add(new ConfigProblem("properties." + e.getKey(), "must be a string, number or boolean"));
                        continue;
                    }
                    String value = String.valueOf(e.getValue());
                    // a sealed value (kept from the stored destination) is checked by the connector once opened
                    String problem = propertyProblem(String.valueOf(e.getKey()), SecretBox.isSealed(value) ? null : value);
                    if (problem != null) {
                        problems.add(new ConfigProblem("properties." + e.getKey(), problem));
                    }
                }
            }
        }
        return problems;
    }

    /**
     * What is wrong with one producer setting, or null when it may be used; {@code value} null checks the name only.
     * Shared by the API's validation and the connector, which checks opened secrets again before any producer exists.
     */
    public static String propertyProblem(String name, String value) {
        if (name.contains("${") || (value != null && value.contains("${"))) {
            return "config provider references (${...}) are not allowed";
        }
        if (!ALLOWED_PROPERTIES.contains(name)) {
            if (name.startsWith("config.providers") || name.endsWith(".class") || name.endsWith(".classes")) {
                return "is not allowed: it would load code or read delivery's host (allowed: " + allowedList() + ")";
            }
            if (name.endsWith(".location")) {
                return "is not allowed: a file on delivery's host; give PEM text in ssl.truststore.certificates, "
                        + "ssl.keystore.certificate.chain and ssl.keystore.key instead";
            }
            return "is not a producer setting Eddy accepts (allowed: " + allowedList() + ")";
        }
        if (value == null) {
            return null;
        }
        String v = value.trim();
        return switch (name) {
            case "acks" -> v.equals("all") || v.equals("-1") ? null : "must be all: Eddy's producer is idempotent";
            case "enable.idempotence" -> v.equalsIgnoreCase("true") ? null : "must be true: Eddy's producer is idempotent";
            case "compression.type" -> Set.of("none", "gzip", "snappy", "lz4", "zstd").contains(v) ? null
                    : "must be none, gzip, snappy, lz4 or zstd";
            case "security.protocol" -> Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL").contains(v.toUpperCase(Locale.ROOT))
                    ? null : "must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL";
            case "sasl.mechanism" -> Set.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512").contains(v)
                    ? null : "must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512";
            case "sasl.jaas.config" -> jaasProblem(v);
            case "ssl.truststore.type", "ssl.keystore.type" -> v.equalsIgnoreCase("PEM") ? null
                    : "must be PEM (certificates and keys are given as PEM text, not files)";
            case "ssl.endpoint.identification.algorithm" -> v.isEmpty() || v.equalsIgnoreCase("https") ? null : "must be https or empty";
            case "ssl.protocol", "ssl.enabled.protocols" -> v.matches("(TLSv1\\.[23])(\\s*,\\s*TLSv1\\.[23])*") ? null
                    : "must be TLSv1.2 and/or TLSv1.3";
            case "ssl.truststore.certificates", "ssl.keystore.certificate.chain", "ssl.keystore.key" ->
                    v.startsWith("-----BEGIN ") ? null : "must be PEM text (-----BEGIN ...), not a file";
            case "client.id" -> v.matches("[A-Za-z0-9._-]{1,249}") ? null : "must be 1-249 letters, digits, '.', '_' and '-'";
            default -> NUMBERS.contains(name) ? numberProblem(v) : null;
        };
    }

    private static String numberProblem(String value) {
        try {
            long n = Long.parseLong(value);
            return n >= 0 && n <= MAX_NUMBER ? null : "must be a whole number from 0 to " + MAX_NUMBER;
        } catch (NumberFormatException e) {
            return "must be a whole number";
        }
    }

    /** Only the PLAIN and SCRAM login modules, whose options are a user name and a password, never a file. */
    private static String jaasProblem(String value) {
        String module = value.split("\\s+", 2)[0];
        if (!JAAS_MODULES.contains(module)) {
            return "must use " + String.join(" or ", new java.util.TreeSet<>(JAAS_MODULES));
        }
        // Kafka itself refuses a value with more than one login module
        return null;
    }

    private static String allowedList() {
        return String.join(", ", new java.util.TreeSet<>(ALLOWED_PROPERTIES));
    }
}
