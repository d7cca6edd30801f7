package dev.eddy.contracts.destination;

import dev.eddy.contracts.source.InvalidSourceAddressException;
import dev.eddy.contracts.source.PostgresJdbcUrl;
import dev.eddy.contracts.source.SourceAddress;
import dev.eddy.contracts.validation.KnownKeys;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code postgres} destination: a table, {@code {"jdbcUrl"} or {"host", "port", "database"}, "user",
 * "password", "schema", "table", "keyColumn"}}. Object syncs only (a table holds records; an event stream into a
 * table is an {@code insert} sync), up to 5000 rows per statement, 3 attempts.
 *
 * <p>Record matching: added and changed rows are matched on {@code externalIdMapping.to}, else {@code keyColumn}.
 * Removed rows (and rows cleared under {@code clear_fields}) carry nothing but their model primary key, so they are
 * matched by that key: against {@code externalIdMapping.to} when {@code externalIdMapping.from} is the model's
 * primary key (or not given), else against {@code keyColumn} (the column holding the model's primary key).
 */
public final class PostgresDescriptor implements DestinationDescriptor {

    public static final String TYPE = "postgres";
    public static final PostgresDescriptor INSTANCE = new PostgresDescriptor();
    /** The configuration's keys. */
    static final KnownKeys KNOWN_KEYS = KnownKeys.of("jdbcUrl", "host", "port", "database", "user", "password", "schema",
            "table", "keyColumn");

    private PostgresDescriptor() {
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
        return EnumSet.of(SyncType.OBJECT);
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
        return path.size() == 1 && path.get(0).toLowerCase(Locale.ROOT).equals("password");
    }

    @Override
    public Optional<KnownKeys> knownKeys() {
        return Optional.of(KNOWN_KEYS);
    }

    @Override
    public List<ConfigProblem> validate(Map<String, Object> configuration) {
        Map<String, Object> config = configuration == null ? Map.of() : configuration;
        List<ConfigProblem> problems = new ArrayList<>();
        Object jdbcUrl = config.get("jdbcUrl");
        if (jdbcUrl != null) {
            if (!(jdbcUrl instanceof String url) || !url.startsWith("jdbc:postgresql:")) {
                problems.add(new ConfigProblem("jdbcUrl", "must start with jdbc:postgresql:"));
            } else {
                try {
                    PostgresJdbcUrl.parse(url);
                } catch (InvalidSourceAddressException e) {
                    problems.add(new ConfigProblem("jdbcUrl", e.problem()));
                }
            }
        } else {
            if (!(config.get("host") instanceof String host) || host.isBlank()) {
                problems.add(new ConfigProblem("host", "is required (or jdbcUrl)"));
            } else {
                SourceAddress.hostProblem(host).ifPresent(p -> problems.add(new ConfigProblem("host", p)));
            }
            if (!(config.get("database") instanceof String db) || db.isBlank()) {
                problems.add(new ConfigProblem("database", "is required (or jdbcUrl)"));
            } else {
                SourceAddress.databaseProblem(db).ifPresent(p -> problems.add(new ConfigProblem("database", p)));
            }
            Object port = config.get("port");
            if (port != null && !validPort(port)) {
                problems.add(new ConfigProblem("port", "must be a port number (1-65535)"));
            }
        }
        if (!(config.get("table") instanceof String t) || t.isBlank()) {
            problems.add(new ConfigProblem("table", "is required"));
        }
        for (String field : List.of("user", "password", "schema", "keyColumn")) {
            Object value = config.get(field);
            if (value != null && !(value instanceof String)) {
                problems.add(new ConfigProblem(field, "must be a string"));
            }
        }
        return problems;
    }

    @Override
    public List<ConfigProblem> validateSync(Map<String, Object> configuration, DeliveryOptions options,
                                            String primaryKeyColumn) {
        if (options.type() != SyncType.OBJECT) {
            return List.of();
        }
        Map<String, Object> config = configuration == null ? Map.of() : configuration;
        List<ConfigProblem> problems = new ArrayList<>();
        Optional<DeliveryOptions.ExternalIdMapping> externalId = options.externalId();
        if (options.mode() != SyncMode.INSERT && matchingColumn(config, externalId).isEmpty()) {
            problems.add(new ConfigProblem("externalIdMapping", "mode " + options.mode().name().toLowerCase(Locale.ROOT)
                    + " on a postgres destination needs a record-matching column: set externalIdMapping {from, to}"
                    + " (or keyColumn on the destination)"));
        }
        if (!"do_nothing".equals(options.deleteBehavior())
                && removalColumn(config, externalId, primaryKeyColumn).isEmpty()) {
            if (externalId.isPresent()) {
                problems.add(new ConfigProblem("externalIdMapping.from", "deleteBehavior " + options.deleteBehavior()
                        + " matches removed rows by the model's primary key (" + primaryKeyColumn + "), but"
                        + " externalIdMapping.from is " + externalId.get().from() + ": map from " + primaryKeyColumn
                        + ", or set keyColumn on the destination to the column holding it"));
            } else {
                problems.add(new ConfigProblem("externalIdMapping", "deleteBehavior " + options.deleteBehavior()
                        + " on a postgres destination needs the column holding the model's primary key: set"
                        + " externalIdMapping {from, to} (or keyColumn on the destination)"));
            }
        }
        return problems;
    }

    /** The column added and changed rows are matched on: {@code externalIdMapping.to}, else {@code keyColumn}. */
    public static Optional<String> matchingColumn(Map<String, Object> configuration,
                                                  Optional<DeliveryOptions.ExternalIdMapping> externalId) {
        if (externalId.isPresent() && externalId.get().to() != null) {
            return Optional.of(externalId.get().to());
        }
        return keyColumn(configuration);
    }

    /**
     * The column removed and cleared rows are matched on by their model primary key: {@code externalIdMapping.to}
     * when {@code externalIdMapping.from} is that key (or not given, or the key is unknown), else {@code keyColumn};
     * empty when neither holds the key.
     */
    public static Optional<String> removalColumn(Map<String, Object> configuration,
                                                 Optional<DeliveryOptions.ExternalIdMapping> externalId,
                                                 String primaryKeyColumn) {
        if (externalId.isPresent() && externalId.get().to() != null) {
            String from = externalId.get().from();
            if (from == null || primaryKeyColumn == null || from.equals(primaryKeyColumn)) {
                return Optional.of(externalId.get().to());
            }
        }
        return keyColumn(configuration);
    }

    private static Optional<String> keyColumn(Map<String, Object> configuration) {
        return configuration != null && configuration.get("keyColumn") instanceof String k && !k.isBlank()
                ? Optional.of(k) : Optional.empty();
    }

    private static boolean validPort(Object port) {
        long value = port instanceof Number n && n.doubleValue() == n.longValue() ? n.longValue()
                : port instanceof String s && s.matches("\\d{1,5}") ? Long.parseLong(s) : -1;
        return value >= 1 && value <= 65535;
    }
}
