package dev.eddy.delivery.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.destination.ConfigProblem;
import dev.eddy.contracts.destination.DeliveryOptions;
import dev.eddy.contracts.destination.DestinationDescriptor;
import dev.eddy.contracts.destination.RateLimit;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.delivery.connector.ConnectorRegistry;
import dev.eddy.delivery.connector.HttpTransport;
import dev.eddy.delivery.mapping.FieldMapper;
import dev.eddy.delivery.mapping.InvalidMappingException;
import dev.eddy.delivery.retry.RetryPolicy;
import dev.eddy.delivery.spi.ConnectorContext;
import dev.eddy.delivery.spi.DeliverySettings;
import dev.eddy.delivery.spi.DestinationConfigurationException;
import dev.eddy.delivery.spi.DestinationConnector;
import dev.eddy.delivery.spi.SecretOpener;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Resolves a {@link DeliveryPlan} from a sync's spec: the connector for the destination type, its
 * configuration checked ({@code validate}), the sync's delivery settings read with the rules the API applies too
 * ({@link DeliveryOptions}: {@code type} and {@code mode} checked against what the destination supports,
 * {@code batchSize} capped by its largest write, {@code rateLimit}, {@code concurrency}, {@code retry} and
 * {@code externalIdMapping} over its defaults), and the mappings compiled. Every problem is a
 * {@link PlanException}: fatal for the run, with a message the user can act on.
 */
@ApplicationScoped
public class DeliveryPlanner {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

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
            DestinationDescriptor descriptor = connector.descriptor();
            Map<String, Object> configuration = spec.destination().configuration() == null ? Map.of()
                    : JSON.convertValue(spec.destination().configuration(), OBJECT);
            List<ConfigProblem> problems = connector.validate(configuration);
            if (!problems.isEmpty()) {
                throw new PlanException(new DestinationConfigurationException(problems).getMessage());
            }
            String primaryKey = spec.model() == null ? null : spec.model().primaryKey();
            DeliveryOptions.Parsed parsed = DeliveryOptions.parse(spec.configuration());
            List<ConfigProblem> syncProblems = new ArrayList<>(parsed.problems());
            if (syncProblems.isEmpty()) {
                syncProblems.addAll(parsed.options().problemsFor(descriptor, configuration, primaryKey));
            }
            if (!syncProblems.isEmpty()) {
                // the type and mode messages stand alone ("destination type postgres does not support sync type event")
                throw new PlanException(syncProblems.stream()
                        .map(p -> p.message().startsWith("destination type ") ? p.message() : "sync configuration " + p)
                        .collect(Collectors.joining("; ")));
            }
            DeliveryOptions options = parsed.options();
            String modelName = spec.model() == null ? null : spec.model().name();
            FieldMapper mapper;
            try {
                mapper = FieldMapper.of(spec.mappings(), new FieldMapper.Variables(syncId, runId, modelName));
            } catch (InvalidMappingException e) {
                throw new PlanException("invalid field mapping: " + e.getMessage());
            }
            RateLimit limit = options.rateLimitFor(descriptor);
            DeliverySettings settings = new DeliverySettings(options.type(), options.deleteBehavior(),
                    options.externalId().map(e -> new DeliverySettings.ExternalId(e.from(), e.to(), e.type())),
                    mapper.mappedFields(), modelName, options.concurrencyOrDefault(), throttles.forSync(syncId, limit),
                    primaryKey);
            ConnectorContext context = new ConnectorContext(syncId, runId, options.mode(), configuration, secrets, settings);
            return new DeliveryPlan(spec, connector, context, mapper, options.batchSizeFor(descriptor),
                    retryPolicy(options, descriptor));
        } catch (PlanException | RuntimeException e) {
            connector.close();
            throw e;
        }
    }

    /** The service's retry policy with the destination's default attempts and the sync's own retry settings over it. */
    private RetryPolicy retryPolicy(DeliveryOptions options, DestinationDescriptor descriptor) {
        RetryPolicy base = batchDelivery.defaultPolicy();
        RetryPolicy.Settings defaults = base.settings();
        DeliveryOptions.Retry retry = options.retry();
        RetryPolicy.Settings settings = new RetryPolicy.Settings(
                options.maxAttemptsFor(descriptor, defaults.maxAttempts()),
                retry.deadline().orElse(defaults.deadline()),
                retry.initialBackoff().orElse(defaults.initialBackoff()),
                retry.maxBackoff().orElse(defaults.maxBackoff()));
        return settings.equals(defaults) ? base : base.with(settings);
    }
}
