package dev.eddy.delivery.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.delivery.connector.ConnectorRegistry;
import dev.eddy.delivery.connector.HttpTransport;
import dev.eddy.delivery.mapping.FieldMapper;
import dev.eddy.delivery.mapping.InvalidMappingException;
import dev.eddy.delivery.retry.RetryPolicy;
import dev.eddy.delivery.spi.ConfigProblem;
import dev.eddy.delivery.spi.ConnectorContext;
import dev.eddy.delivery.spi.DeliverySettings;
import dev.eddy.delivery.spi.DestinationConfigurationException;
import dev.eddy.delivery.spi.DestinationConnector;
import dev.eddy.delivery.spi.RateLimit;
import dev.eddy.delivery.spi.SecretOpener;
import dev.eddy.delivery.spi.SyncMode;
import dev.eddy.delivery.spi.SyncType;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves a {@link DeliveryPlan} from a sync's spec: the connector for the destination type, its
 * configuration checked ({@code validate}), the sync's mode and {@code type} checked against what the
 * connector supports, the mappings compiled, and the sync's {@code batchSize}, {@code rateLimit},
 * {@code concurrency}, {@code retry} and {@code externalIdMapping} applied over the connector's defaults.
 * Every problem is a {@link PlanException}: fatal for the run, with a message the user can act on.
 */
@ApplicationScoped
public class DeliveryPlanner {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };
    /** Requests in flight per sync when the sync sets no {@code concurrency}. */
    static final int DEFAULT_CONCURRENCY = 4;

    /** The sync cannot be delivered as configured. */
    public static final class PlanException extends Exception {
        public PlanException(String message) {
            super(message);
        }
    }

    private final ConnectorRegistry connectors;
    private final BatchDelivery batchDelivery;
    private final Throttles throttles;

    public DeliveryPlanner(ConnectorRegistry connectors, BatchDelivery batchDelivery, Throttles throttles) {
        this.connectors = connectors;
        this.batchDelivery = batchDelivery;
        this.throttles = throttles;
    }

    public DeliveryPlan plan(SyncSpec spec, String syncId, String runId, SecretOpener secrets) throws PlanException {
        return plan(spec, syncId, runId, secrets, connectors.transport());
    }

    public DeliveryPlan plan(SyncSpec spec, String syncId, String runId, SecretOpener secrets, HttpTransport transport)
            throws PlanException {
        String type = spec.destination() == null ? null : spec.destination().type();
        DestinationConnector connector = connectors.create(type, transport)
                .orElseThrow(() -> new PlanException("unknown destination type " + type + " (known: "
                        + String.join(", ", connectors.types().stream().sorted().toList()) + ")"));
        try {
            Map<String, Object> configuration = spec.destination().configuration() == null ? Map.of()
                    : JSON.convertValue(spec.destination().configuration(), OBJECT);
            List<ConfigProblem> problems = connector.validate(configuration);
            if (!problems.isEmpty()) {
                throw new PlanException(new DestinationConfigurationException(problems).getMessage());
            }
            SyncMode mode;
            SyncType syncType;
            try {
                mode = SyncMode.fromName(spec.mode());
                syncType = SyncType.fromName(spec.syncType());
            } catch (IllegalArgumentException e) {
                throw new PlanException(e.getMessage());
            }
            if (!connector.supportedModes().contains(mode)) {
                throw new PlanException("destination type " + type + " does not support mode " + spec.mode());
            }
            if (!connector.supportedTypes().contains(syncType)) {
                throw new PlanException("destination type " + type + " does not support sync type " + spec.syncType()
                        + " (supported: " + connector.supportedTypes().stream().map(t -> t.name().toLowerCase()).sorted().toList() + ")");
            }
            String modelName = spec.model() == null ? null : spec.model().name();
            FieldMapper mapper;
            try {
                mapper = FieldMapper.of(spec.mappings(), new FieldMapper.Variables(syncId, runId, modelName));
            } catch (InvalidMappingException e) {
                throw new PlanException("invalid field mapping: " + e.getMessage());
            }
            JsonNode config = spec.configuration();
            RateLimit limit = rateLimit(config, connector);
            int concurrency = positiveInt(config, "concurrency").orElse(DEFAULT_CONCURRENCY);
            DeliverySettings settings = new DeliverySettings(syncType, spec.deleteBehavior(), externalId(config),
                    mapper.mappedFields(), modelName, concurrency, throttles.forSync(syncId, limit));
            ConnectorContext context = new ConnectorContext(syncId, runId, mode, configuration, secrets, settings);
            int max = Math.max(1, connector.maxBatchSize());
            int sliceSize = positiveInt(config, "batchSize").map(b -> Math.min(max, b)).orElse(max);
            return new DeliveryPlan(spec, connector, context, mapper, sliceSize, retryPolicy(config, connector));
        } catch (PlanException | RuntimeException e) {
            connector.close();
            throw e;
        }
    }

    private static RateLimit rateLimit(JsonNode config, DestinationConnector connector) throws PlanException {
        JsonNode node = config == null ? null : config.get("rateLimit");
        if (node == null || node.isNull()) {
            return connector.defaultRateLimit();
        }
        int requests = node.path("requests").asInt(0);
        double per = node.path("perSeconds").asDouble(1);
        if (requests <= 0 || per <= 0) {
            throw new PlanException("rateLimit needs requests > 0 and perSeconds > 0");
        }
        return new RateLimit(requests, Duration.ofMillis(Math.round(per * 1000)));
    }

    private RetryPolicy retryPolicy(JsonNode config, DestinationConnector connector) {
        RetryPolicy base = batchDelivery.defaultPolicy();
        RetryPolicy.Settings defaults = base.settings();
        JsonNode retry = config == null ? null : config.get("retry");
        int attempts = connector.defaultMaxAttempts() > 0 ? connector.defaultMaxAttempts() : defaults.maxAttempts();
        Duration deadline = defaults.deadline();
        Duration initial = defaults.initialBackoff();
        Duration max = defaults.maxBackoff();
        if (retry != null && retry.isObject()) {
            attempts = retry.path("maxAttempts").asInt(attempts) > 0 ? retry.path("maxAttempts").asInt(attempts) : attempts;
            deadline = retry.has("deadlineSeconds") ? Duration.ofSeconds(retry.get("deadlineSeconds").asLong()) : deadline;
            initial = retry.has("initialBackoffMs") ? Duration.ofMillis(retry.get("initialBackoffMs").asLong()) : initial;
            max = retry.has("maxBackoffMs") ? Duration.ofMillis(retry.get("maxBackoffMs").asLong()) : max;
        }
        RetryPolicy.Settings settings = new RetryPolicy.Settings(attempts, deadline, initial, max);
        return settings.equals(defaults) ? base : base.with(settings);
    }

    private static Optional<DeliverySettings.ExternalId> externalId(JsonNode config) {
        JsonNode node = config == null ? null : config.get("externalIdMapping");
        if (node == null || !node.isObject() || !node.hasNonNull("to")) {
            return Optional.empty();
        }
        return Optional.of(new DeliverySettings.ExternalId(node.path("from").asText(null), node.get("to").asText(),
                node.path("type").asText(null)));
    }

    private static Optional<Integer> positiveInt(JsonNode config, String field) {
        JsonNode node = config == null ? null : config.get(field);
        return node != null && node.canConvertToInt() && node.asInt() > 0 ? Optional.of(node.asInt()) : Optional.empty();
    }
}
