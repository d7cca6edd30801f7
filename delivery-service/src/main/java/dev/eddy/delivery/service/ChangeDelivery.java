package dev.eddy.delivery.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.Change;
import dev.eddy.contracts.avro.ChangeBatch;
import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.delivery.config.DeliveryConfig;
import dev.eddy.delivery.connector.ConnectorRegistry;
import dev.eddy.delivery.mapping.FieldMapper;
import dev.eddy.delivery.mapping.InvalidMappingException;
import dev.eddy.delivery.mapping.RowDataException;
import dev.eddy.delivery.messaging.DeliveryEvents;
import dev.eddy.delivery.spi.ConfigProblem;
import dev.eddy.delivery.spi.ConnectorContext;
import dev.eddy.delivery.spi.DeliveryRow;
import dev.eddy.delivery.spi.DestinationConfigurationException;
import dev.eddy.delivery.spi.DestinationConnector;
import dev.eddy.delivery.spi.SyncMode;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Delivers a run's change batches (protocol step 5): maps each batch's rows, writes them through the
 * destination's connector, publishes one outcome per row and the run's progress, and on the change set's END
 * publishes the end of the run's delivery. A fatal error (unknown destination type, invalid configuration,
 * unreachable destination) marks the run: its later batches are not sent and their rows are reported FAILED.
 * Idempotent on redelivery: a replayed batch is delivered again (at-least-once) and reported again.
 */
@ApplicationScoped
public class ChangeDelivery {

    private static final Logger LOG = Logger.getLogger(ChangeDelivery.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    /** Stops the delivery of a run; its message becomes the run's fatal error. */
    private static final class RunFatalException extends Exception {
        RunFatalException(String message) {
            super(message);
        }
    }

    private final ConnectorRegistry connectors;
    private final BatchDelivery batchDelivery;
    private final RunTracker runs;
    private final DeliveryEvents events;
    private final SecretBox secretBox;
    private final DeliveryConfig config;
    private final Clock clock;

    public ChangeDelivery(ConnectorRegistry connectors, BatchDelivery batchDelivery, RunTracker runs,
                          DeliveryEvents events, SecretBox secretBox, DeliveryConfig config, Clock clock) {
        this.connectors = connectors;
        this.batchDelivery = batchDelivery;
        this.runs = runs;
        this.events = events;
        this.secretBox = secretBox;
        this.config = config;
        this.clock = clock;
    }

    public void handle(ChangeBatch batch) {
        MDC.put("syncId", batch.getSyncId());
        MDC.put("runId", batch.getRunId());
        try {
            if (batch.getKind() == BatchKind.END) {
                finish(batch);
            } else {
                deliver(batch);
            }
        } finally {
            MDC.remove("syncId");
            MDC.remove("runId");
        }
    }

    private void deliver(ChangeBatch batch) {
        RunTracker.RunState run = runs.run(batch.getRunId());
        List<FinalOutcome> outcomes;
        String fatal = run.fatalError();
        if (fatal != null) {
            outcomes = notSent(batch.getChanges().size(), fatal);
        } else {
            try {
                outcomes = deliverTo(batch, run);
            } catch (RunFatalException e) {
                markFatal(run, e.getMessage());
                outcomes = notSent(batch.getChanges().size(), e.getMessage());
            }
        }
        List<RowOutcome> rowOutcomes = new ArrayList<>(outcomes.size());
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            Change change = batch.getChanges().get(i);
            FinalOutcome outcome = outcomes.get(i);
            accepted += outcome.status() == OutcomeStatus.ACCEPTED ? 1 : 0;
            rejected += outcome.status() == OutcomeStatus.REJECTED ? 1 : 0;
            rowOutcomes.add(RowOutcome.newBuilder().setPk(change.getPk()).setOp(change.getOp())
                    .setStatus(outcome.status()).setReason(outcome.reason()).build());
        }
        events.batchDelivered(batch.getSyncId(), batch.getRunId(), batch.getSeq(), rowOutcomes);
        run.addOutcomes(rowOutcomes.size());
        if (run.progressDue(clock.instant(), config.delivery().progressInterval())) {
            // the planned row count only arrives with the END marker, so no completion ratio is known here
            events.progress(batch.getSyncId(), batch.getRunId(), null, clock.instant());
        }
        LOG.infof("Sync %s run %s: batch %d delivered: %d accepted, %d rejected, %d failed",
                batch.getSyncId(), batch.getRunId(), batch.getSeq(), accepted, rejected,
                outcomes.size() - accepted - rejected);
    }

    private List<FinalOutcome> deliverTo(ChangeBatch batch, RunTracker.RunState run) throws RunFatalException {
        SyncSpec spec = spec(batch);
        String type = spec.destination() == null ? null : spec.destination().type();
        DestinationConnector connector = connectors.create(type)
                .orElseThrow(() -> new RunFatalException("unknown destination type " + type));
        try (connector) {
            Map<String, Object> configuration = configuration(spec);
            List<ConfigProblem> problems = connector.validate(configuration);
            if (!problems.isEmpty()) {
                throw new RunFatalException(new DestinationConfigurationException(problems).getMessage());
            }
            SyncMode mode = mode(spec, connector);
            FieldMapper mapper;
            try {
                mapper = FieldMapper.of(spec.mappings());
            } catch (InvalidMappingException e) {
                throw new RunFatalException("invalid field mapping: " + e.getMessage());
            }

            List<Change> changes = batch.getChanges();
            FinalOutcome[] outcomes = new FinalOutcome[changes.size()];
            List<DeliveryRow> rows = new ArrayList<>();
            List<Integer> positions = new ArrayList<>();
            for (int i = 0; i < changes.size(); i++) {
                Change change = changes.get(i);
                DeliveryRow.Operation op = operation(change.getOp());
                try {
                    rows.add(new DeliveryRow(op, change.getPk(), mapper.map(op, change.getData())));
                    positions.add(i);
                } catch (RowDataException e) {
                    outcomes[i] = FinalOutcome.rejected(e.getMessage());
                }
            }

            try {
                connector.open(new ConnectorContext(batch.getSyncId(), batch.getRunId(), mode, configuration, secretBox::open));
            } catch (DestinationConfigurationException e) {
                throw new RunFatalException(e.getMessage());
            } catch (RuntimeException e) {
                throw new RunFatalException("destination connector " + type + " failed to open: " + e);
            }

            int sliceSize = sliceSize(spec, connector);
            for (int from = 0; from < rows.size(); from += sliceSize) {
                int to = Math.min(rows.size(), from + sliceSize);
                List<FinalOutcome> slice;
                String fatal = run.fatalError();
                if (fatal != null) {
                    slice = notSent(to - from, fatal);
                } else {
                    BatchDelivery.SliceOutcome delivered = batchDelivery.deliver(connector, rows.subList(from, to));
                    delivered.fatalError().ifPresent(error -> markFatal(run, error));
                    slice = delivered.outcomes();
                }
                for (int j = 0; j < slice.size(); j++) {
                    outcomes[positions.get(from + j)] = slice.get(j);
                }
            }
            return Arrays.asList(outcomes);
        }
    }

    private void finish(ChangeBatch batch) {
        RunTracker.RunState run = runs.run(batch.getRunId());
        events.runDelivered(batch.getSyncId(), batch.getRunId(), batch.getSeq(), run.fatalError());
        LOG.infof("Sync %s run %s: delivery ended after %d batches, %d rows with an outcome%s",
                batch.getSyncId(), batch.getRunId(), batch.getSeq(), run.rowsWithOutcome(),
                run.fatalError() == null ? "" : ", stopped by a fatal error");
    }

    private void markFatal(RunTracker.RunState run, String error) {
        if (run.markFatal(error)) {
            LOG.warnf("Delivery of the run stopped: %s", error);
        }
    }

    private static SyncSpec spec(ChangeBatch batch) throws RunFatalException {
        try {
            return SyncSpec.fromJson(batch.getSpecJson());
        } catch (IllegalArgumentException e) {
            throw new RunFatalException("the run's sync spec cannot be read: " + e.getMessage());
        }
    }

    private static Map<String, Object> configuration(SyncSpec spec) {
        if (spec.destination().configuration() == null) {
            return Map.of();
        }
        return JSON.convertValue(spec.destination().configuration(), OBJECT);
    }

    private static SyncMode mode(SyncSpec spec, DestinationConnector connector) throws RunFatalException {
        SyncMode mode;
        try {
            mode = SyncMode.fromName(spec.mode());
        } catch (IllegalArgumentException e) {
            throw new RunFatalException(e.getMessage());
        }
        if (!connector.supportedModes().contains(mode)) {
            throw new RunFatalException("destination type " + connector.type() + " does not support mode "
                    + spec.mode());
        }
        return mode;
    }

    /** The connector's batch limit, lowered by the sync's {@code batchSize} when it sets one. */
    private static int sliceSize(SyncSpec spec, DestinationConnector connector) {
        int max = Math.max(1, connector.maxBatchSize());
        var batchSize = spec.configuration() == null ? null : spec.configuration().get("batchSize");
        if (batchSize != null && batchSize.canConvertToInt() && batchSize.asInt() > 0) {
            return Math.min(max, batchSize.asInt());
        }
        return max;
    }

    private static DeliveryRow.Operation operation(ChangeOp op) {
        return switch (op) {
            case ADDED -> DeliveryRow.Operation.ADDED;
            case CHANGED -> DeliveryRow.Operation.CHANGED;
            case REMOVED -> DeliveryRow.Operation.REMOVED;
        };
    }

    private static List<FinalOutcome> notSent(int rows, String fatalError) {
        List<FinalOutcome> outcomes = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            outcomes.add(FinalOutcome.failed("not sent: " + fatalError));
        }
        return outcomes;
    }
}
