package dev.eddy.contracts.destination;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code kafka} destination: {@code {"bootstrapServers", "topic", "properties"?}} (extra producer settings).
 * Every mode and sync type (each record carries its op in a header), up to 5000 rows per write, 3 attempts (the
 * producer retries within its own delivery timeout too). Producer settings holding credentials (any name with
 * "password", "secret", "token", "jaas", "credentials" or "user.info", or ending in ".key") are secrets.
 */
public final class KafkaTopicDescriptor implements DestinationDescriptor {

    public static final String TYPE = "kafka";
    public static final KafkaTopicDescriptor INSTANCE = new KafkaTopicDescriptor();

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
                    }
                }
            }
        }
        return problems;
    }
}
