package dev.eddy.contracts.destination;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eddy.contracts.validation.KnownKeys;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The delivery settings of a sync's configuration, read by one set of rules for the API (config-service answers a
 * 422 naming each problem's field) and for delivery (whose planner fails the run with the same message):
 * {@code type}, {@code mode}, {@code deleteBehavior}, {@code externalIdMapping}, {@code batchSize},
 * {@code rateLimit}, {@code concurrency} and {@code retry}. A setting left out takes the destination's default
 * ({@link #batchSizeFor}, {@link #rateLimitFor}, {@link #maxAttemptsFor}) or delivery's.
 *
 * @param externalId  {@code externalIdMapping}: the model column {@code from} and destination field {@code to}
 *                    identifying a record
 * @param batchSize   rows per write as the sync asks (capped by the destination's maximum)
 * @param rateLimit   requests per period as the sync asks
 * @param concurrency requests in flight at once as the sync asks
 */
public record DeliveryOptions(SyncType type, SyncMode mode, String deleteBehavior,
                              Optional<ExternalIdMapping> externalId, OptionalInt batchSize,
                              Optional<RateLimit> rateLimit, OptionalInt concurrency, Retry retry) {

    /** Requests in flight per sync when the sync sets no {@code concurrency}. */
    public static final int DEFAULT_CONCURRENCY = 4;
    public static final Set<String> DELETE_BEHAVIORS = Set.of("do_nothing", "clear_fields", "delete");

    /** The settings {@link #parse} reads, at every depth: a sync's configuration holds these and the sync's own keys. */
    public static final KnownKeys KNOWN_KEYS = KnownKeys.of("type", "mode", "deleteBehavior", "batchSize", "concurrency")
            .with("externalIdMapping", KnownKeys.of("from", "to", "type"))
            .with("rateLimit", KnownKeys.of("requests", "perSeconds"))
            .with("retry", KnownKeys.of("maxAttempts", "deadlineSeconds", "initialBackoffMs", "maxBackoffMs"));

    /** {@code externalIdMapping}; {@code from} may be null (then the rows' mapped {@code to} field is used as it is). */
    public record ExternalIdMapping(String from, String to, String type) {
    }

    /** {@code retry: {maxAttempts, deadlineSeconds, initialBackoffMs, maxBackoffMs}}, each optional. */
    public record Retry(OptionalInt maxAttempts, Optional<Duration> deadline, Optional<Duration> initialBackoff,
                        Optional<Duration> maxBackoff) {
        public static Retry none() {
            return new Retry(OptionalInt.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    /** The options read (defaults where a setting is missing or wrong) and every problem found. */
    public record Parsed(DeliveryOptions options, List<ConfigProblem> problems) {
    }

    /** Defaults: an object upsert sync without record matching, limits or retry settings of its own. */
    public static DeliveryOptions defaults() {
        return new DeliveryOptions(SyncType.OBJECT, SyncMode.UPSERT, "do_nothing", Optional.empty(), OptionalInt.empty(),
                Optional.empty(), OptionalInt.empty(), Retry.none());
    }

    /** Reads a sync's configuration; problems are named by their path inside it ({@code rateLimit.requests}). */
    public static Parsed parse(JsonNode configuration) {
        List<ConfigProblem> problems = new ArrayList<>();
        JsonNode config = configuration == null || !configuration.isObject() ? null : configuration;
        SyncType type = choice(config, "type", SyncType.OBJECT, problems, SyncType::fromName, "object or event");
        SyncMode mode = choice(config, "mode", SyncMode.UPSERT, problems, SyncMode::fromName, "insert, update or upsert");
        String deleteBehavior = choice(config, "deleteBehavior", "do_nothing", problems, name -> {
            if (!DELETE_BEHAVIORS.contains(name)) {
                throw new IllegalArgumentException(name);
            }
            return name;
        }, "do_nothing, clear_fields or delete");
        Optional<ExternalIdMapping> externalId = externalId(field(config, "externalIdMapping"), problems);
        OptionalInt batchSize = positiveInt(field(config, "batchSize"), "batchSize", problems);
        Optional<RateLimit> rateLimit = rateLimit(field(config, "rateLimit"), problems);
        OptionalInt concurrency = positiveInt(field(config, "concurrency"), "concurrency", problems);
        Retry retry = retry(field(config, "retry"), problems);
        return new Parsed(new DeliveryOptions(type, mode, deleteBehavior, externalId, batchSize, rateLimit, concurrency,
                retry), List.copyOf(problems));
    }

    /**
     * What {@code destination} cannot do of these options: a sync type or mode it does not support (the mode only
     * matters to object syncs), and its own rules ({@link DestinationDescriptor#validateSync}).
     *
     * @param primaryKeyColumn the model's primary key column, or null when unknown
     */
    public List<ConfigProblem> problemsFor(DestinationDescriptor destination, Map<String, Object> destinationConfiguration,
                                           String primaryKeyColumn) {
        List<ConfigProblem> problems = new ArrayList<>();
        if (!destination.supportedTypes().contains(type)) {
            problems.add(new ConfigProblem("type", "destination type " + destination.type() + " does not support sync type "
                    + name(type) + " (supported: " + names(destination.supportedTypes()) + ")"));
        } else if (type == SyncType.OBJECT && !destination.supportedModes().contains(mode)) {
            problems.add(new ConfigProblem("mode", "destination type " + destination.type() + " does not support mode "
                    + name(mode) + " (supported: " + names(destination.supportedModes()) + ")"));
        }
        if (problems.isEmpty()) {
            problems.addAll(destination.validateSync(destinationConfiguration, this, primaryKeyColumn));
        }
        return problems;
    }

    /** Rows per write: the sync's {@code batchSize} capped by the destination's maximum, else that maximum. */
    public int batchSizeFor(DestinationDescriptor destination) {
        int max = Math.max(1, destination.maxBatchSize());
        return batchSize.isPresent() ? Math.min(max, batchSize.getAsInt()) : max;
    }

    /** The sync's rate limit, else the destination's default. */
    public RateLimit rateLimitFor(DestinationDescriptor destination) {
        return rateLimit.orElse(destination.defaultRateLimit());
    }

    /** The sync's concurrency, else {@value #DEFAULT_CONCURRENCY}. */
    public int concurrencyOrDefault() {
        return concurrency.orElse(DEFAULT_CONCURRENCY);
    }

    /** Attempts per write: the sync's, else the destination's default, else {@code serviceDefault}. */
    public int maxAttemptsFor(DestinationDescriptor destination, int serviceDefault) {
        if (retry.maxAttempts().isPresent()) {
            return retry.maxAttempts().getAsInt();
        }
        return destination.defaultMaxAttempts() > 0 ? destination.defaultMaxAttempts() : serviceDefault;
    }

    public boolean deletes() {
        return "delete".equals(deleteBehavior);
    }

    public boolean clearsFields() {
        return "clear_fields".equals(deleteBehavior);
    }

    private interface Reader<T> {
        T read(String name);
    }

    private static <T> T choice(JsonNode config, String field, T fallback, List<ConfigProblem> problems, Reader<T> reader,
                                String allowed) {
        JsonNode node = field(config, field);
        if (node == null || node.isTextual() && node.asText().isBlank()) {
            return fallback;
        }
        if (node.isTextual()) {
            try {
                return reader.read(node.asText().trim().toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                // the message below names the choices
            }
        }
        problems.add(new ConfigProblem(field, "must be " + allowed));
        return fallback;
    }

    private static Optional<ExternalIdMapping> externalId(JsonNode node, List<ConfigProblem> problems) {
        if (node == null) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            problems.add(new ConfigProblem("externalIdMapping", "must be an object {from, to, type}"));
            return Optional.empty();
        }
        String to = text(node, "to", "externalIdMapping.to", true, problems);
        String from = text(node, "from", "externalIdMapping.from", false, problems);
        String type = text(node, "type", "externalIdMapping.type", false, problems);
        return to == null ? Optional.empty() : Optional.of(new ExternalIdMapping(from, to, type));
    }

    private static Optional<RateLimit> rateLimit(JsonNode node, List<ConfigProblem> problems) {
        if (node == null) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            problems.add(new ConfigProblem("rateLimit", "must be an object {requests, perSeconds}"));
            return Optional.empty();
        }
        JsonNode requestsNode = field(node, "requests");
        OptionalInt requests = requestsNode == null ? OptionalInt.empty() : positiveInt(requestsNode, "rateLimit.requests", problems);
        if (requestsNode == null) {
            problems.add(new ConfigProblem("rateLimit.requests", "is required (a positive whole number)"));
        }
        Optional<Duration> per = positiveSeconds(field(node, "perSeconds"), "rateLimit.perSeconds", problems);
        if (requests.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new RateLimit(requests.getAsInt(), per.orElse(Duration.ofSeconds(1))));
    }

    private static Retry retry(JsonNode node, List<ConfigProblem> problems) {
        if (node == null) {
            return Retry.none();
        }
        if (!node.isObject()) {
            problems.add(new ConfigProblem("retry", "must be an object {maxAttempts, deadlineSeconds, initialBackoffMs, maxBackoffMs}"));
            return Retry.none();
        }
        OptionalInt attempts = positiveInt(field(node, "maxAttempts"), "retry.maxAttempts", problems);
        Optional<Duration> deadline = positiveSeconds(field(node, "deadlineSeconds"), "retry.deadlineSeconds", problems);
        Optional<Duration> initial = millis(field(node, "initialBackoffMs"), "retry.initialBackoffMs", problems);
        Optional<Duration> max = millis(field(node, "maxBackoffMs"), "retry.maxBackoffMs", problems);
        if (initial.isPresent() && max.isPresent() && max.get().compareTo(initial.get()) < 0) {
            problems.add(new ConfigProblem("retry.maxBackoffMs", "must be at least retry.initialBackoffMs"));
            max = Optional.empty();
        }
        return new Retry(attempts, deadline, initial, max);
    }

    private static OptionalInt positiveInt(JsonNode node, String path, List<ConfigProblem> problems) {
        if (node == null) {
            return OptionalInt.empty();
        }
        if (node.isNumber() && node.canConvertToExactIntegral() && node.canConvertToInt() && node.asInt() > 0) {
            return OptionalInt.of(node.asInt());
        }
        problems.add(new ConfigProblem(path, "must be a positive whole number"));
        return OptionalInt.empty();
    }

    private static Optional<Duration> positiveSeconds(JsonNode node, String path, List<ConfigProblem> problems) {
        if (node == null) {
            return Optional.empty();
        }
        if (node.isNumber() && node.asDouble() > 0 && node.asDouble() <= 86_400 * 366) {
            return Optional.of(Duration.ofMillis(Math.max(1, Math.round(node.asDouble() * 1000))));
        }
        problems.add(new ConfigProblem(path, "must be a positive number of seconds"));
        return Optional.empty();
    }

    private static Optional<Duration> millis(JsonNode node, String path, List<ConfigProblem> problems) {
        if (node == null) {
            return Optional.empty();
        }
        if (node.isNumber() && node.canConvertToExactIntegral() && node.canConvertToLong() && node.asLong() >= 0) {
            return Optional.of(Duration.ofMillis(node.asLong()));
        }
        problems.add(new ConfigProblem(path, "must be a whole number of milliseconds (0 or more)"));
        return Optional.empty();
    }

    private static String text(JsonNode node, String field, String path, boolean required, List<ConfigProblem> problems) {
        JsonNode value = field(node, field);
        if (value == null) {
            if (required) {
                problems.add(new ConfigProblem(path, "is required"));
            }
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            problems.add(new ConfigProblem(path, "must be a non-empty string"));
            return null;
        }
        return value.asText();
    }

    /** The field's value, null when absent or JSON null. */
    private static JsonNode field(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() ? null : value;
    }

    private static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static String names(Set<? extends Enum<?>> values) {
        return String.join(", ", values.stream().map(DeliveryOptions::name).sorted().toList());
    }
}
