package dev.eddy.delivery.testrow;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.delivery.connector.ConnectorRegistry;
import dev.eddy.delivery.mapping.RowDataException;
import dev.eddy.delivery.retry.RetryPolicy;
import dev.eddy.delivery.service.BatchDelivery;
import dev.eddy.delivery.service.DeliveryPlan;
import dev.eddy.delivery.service.DeliveryPlanner;
import dev.eddy.delivery.service.FinalOutcome;
import dev.eddy.delivery.spi.DeliveryRow;
import dev.eddy.delivery.spi.DestinationConfigurationException;
import dev.eddy.delivery.spi.DestinationConnector;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test a row: sends one row through the sync's real connector, once (no retries: the user sees the
 * destination's first answer), recording every HTTP request and response with secrets redacted. The outcome's
 * reason is redacted the same way (a destination may echo a secret in its error). It publishes nothing (no delivery
 * result, progress event or dead letter), so neither the snapshot nor the run history changes.
 */
@ApplicationScoped
public class TestRowService {

    private static final Logger LOG = Logger.getLogger(TestRowService.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What happened to the row: its outcome and the requests made. */
    public record Result(String op, Outcome outcome, List<RecordingTransport.Exchange> requests) {
    }

    /** The row's outcome: accepted, rejected or failed, with the reason. */
    public record Outcome(String status, String reason) {
    }

    /** The request cannot be served as sent (an unknown op, a row that is not an object). */
    public static final class BadRequest extends Exception {
        public BadRequest(String message) {
            super(message);
        }
    }

    private final DeliveryPlanner planner;
    private final ConnectorRegistry connectors;
    private final BatchDelivery batchDelivery;
    private final SecretBox secretBox;

    public TestRowService(DeliveryPlanner planner, ConnectorRegistry connectors, BatchDelivery batchDelivery, SecretBox secretBox) {
        this.planner = planner;
        this.connectors = connectors;
        this.batchDelivery = batchDelivery;
        this.secretBox = secretBox;
    }

    public Result test(SyncSpec spec, String op, Map<String, Object> row) throws BadRequest {
        DeliveryRow.Operation operation;
        try {
            operation = DeliveryRow.Operation.valueOf(String.valueOf(op).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("op must be added, changed or removed");
        }
        String wire = operation.wireName();
        Set<String> opened = ConcurrentHashMap.newKeySet();
        RecordingTransport transport = new RecordingTransport(connectors.transport(), opened);
        String syncId = spec.syncId();
        String runId = "test-row";
        DeliveryPlan plan;
        try {
            plan = planner.plan(spec, syncId, runId, value -> {
                String plain = secretBox.open(value);
                if (!plain.equals(value)) {
                    opened.add(plain);
                }
                return plain;
            }, transport);
        } catch (DeliveryPlanner.PlanException e) {
            return result(wire, "FAILED", e.getMessage(), transport);
        }
        DestinationConnector connector = plan.connector();
        try (connector) {
            String pk = row == null ? null : String.valueOf(row.get(spec.model() == null ? null : spec.model().primaryKey()));
            DeliveryRow deliveryRow;
            try {
                deliveryRow = plan.row(operation, pk, row == null ? null : JSON.writeValueAsString(row));
            } catch (RowDataException | com.fasterxml.jackson.core.JsonProcessingException e) {
                return result(wire, "REJECTED", e.getMessage(), transport);
            }
            if (deliveryRow == null) {
                return result(wire, "SKIPPED", "an event sync sends added rows only", transport);
            }
            try {
                connector.open(plan.context());
            } catch (DestinationConfigurationException e) {
                return result(wire, "FAILED", e.getMessage(), transport);
            }
            RetryPolicy once = plan.retryPolicy().with(new RetryPolicy.Settings(1, plan.retryPolicy().settings().deadline(),
                    plan.retryPolicy().settings().initialBackoff(), plan.retryPolicy().settings().maxBackoff()));
            BatchDelivery.SliceOutcome delivered = batchDelivery.deliver(connector, List.of(deliveryRow), once);
            FinalOutcome outcome = delivered.outcomes().get(0);
            LOG.infof("Sync %s: test row sent through %s: %s", syncId, connector.type(), outcome.status());
            return result(wire, outcome.status().name(), outcome.reason(), transport);
        } catch (RuntimeException e) {
            return result(wire, "FAILED", "destination connector failed: " + e.getMessage(), transport);
        }
    }

    /** The result with every secret seen while testing redacted from the reason too. */
    private static Result result(String op, String status, String reason, RecordingTransport transport) {
        return new Result(op, new Outcome(status, transport.redact(reason)), transport.exchanges());
    }
}
