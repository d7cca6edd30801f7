package dev.eddy.delivery.service;

import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.Change;
import dev.eddy.contracts.avro.ChangeBatch;
import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.delivery.config.DeliveryConfig;
import dev.eddy.delivery.mapping.RowDataException;
import dev.eddy.delivery.messaging.DeadLetters;
import dev.eddy.delivery.messaging.DeliveryEvents;
import dev.eddy.delivery.spi.DeliveryRow;
import dev.eddy.delivery.spi.DestinationConfigurationException;
import dev.eddy.delivery.spi.DestinationConnector;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Delivers a run's change batches (protocol step 5): maps each batch's rows, writes them through the
 * destination's connector, publishes one outcome per row and the run's progress, and on the change set's END
 * publishes the end of the run's delivery. A fatal error (unknown destination type, invalid configuration,
 * unreachable destination) marks the run: its later batches are not sent and their rows are reported FAILED.
 * Every rejected or failed row also goes to the dead-letter topic with its context ({@link DeadLetters}).
 * The sync's spec is turned into a {@link DeliveryPlan} per batch (connector, mappings, type, limits, retries).
 * Idempotent on redelivery: a replayed batch is delivered again (at-least-once) and reported again.
 */
@ApplicationScoped
public class ChangeDelivery {

    private static final Logger LOG = Logger.getLogger(ChangeDelivery.class);

    /** Stops the delivery of a run; its message becomes the run's fatal error. */
    private static final class RunFatalException extends Exception {
        RunFatalException(String message) {
            super(message);
        }
    }

    private final DeliveryPlanner planner;
    private final DeadLetters deadLetters;
    private final BatchDelivery batchDelivery;
    private final RunTracker runs;
    private final DeliveryEvents events;
    private final SecretBox secretBox;
    private final DeliveryConfig config;
    private final Clock clock;

    public ChangeDelivery(DeliveryPlanner planner, DeadLetters deadLetters, BatchDelivery batchDelivery, RunTracker runs,
                          DeliveryEvents events, SecretBox secretBox, DeliveryConfig config, Clock clock) {
        this.planner = planner;
        this.deadLetters = deadLetters;
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
        deadLetter(batch, outcomes);
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
        DeliveryPlan plan;
        try {
            plan = planner.plan(spec, batch.getSyncId(), batch.getRunId(), secretBox::open);
        } catch (DeliveryPlanner.PlanException e) {
            throw new RunFatalException(e.getMessage());
        }
        DestinationConnector connector = plan.connector();
        try (connector) {
            List<Change> changes = batch.getChanges();
            FinalOutcome[] outcomes = new FinalOutcome[changes.size()];
            List<DeliveryRow> rows = new ArrayList<>();
            List<Integer> positions = new ArrayList<>();
            for (int i = 0; i < changes.size(); i++) {
                Change change = changes.get(i);
                try {
                    DeliveryRow row = plan.row(operation(change.getOp()), change.getPk(), change.getData());
                    if (row == null) {
                        // an event sync sends added rows only; the others are done with, not failed
                        outcomes[i] = FinalOutcome.accepted();
                    } else {
                        rows.add(row);
                        positions.add(i);
                    }
                } catch (RowDataException e) {
                    outcomes[i] = FinalOutcome.rejected(e.getMessage());
                }
            }
            if (rows.isEmpty()) {
                return Arrays.asList(outcomes);
            }
            try {
                connector.open(plan.context());
            } catch (DestinationConfigurationException e) {
                throw new RunFatalException(e.getMessage());
            } catch (RuntimeException e) {
                throw new RunFatalException("destination connector " + connector.type() + " failed to open: " + e);
            }

            int sliceSize = plan.sliceSize();
            for (int from = 0; from < rows.size(); from += sliceSize) {
                int to = Math.min(rows.size(), from + sliceSize);
                List<FinalOutcome> slice;
                String fatal = run.fatalError();
                if (fatal != null) {
                    slice = notSent(to - from, fatal);
                } else {
                    BatchDelivery.SliceOutcome delivered = batchDelivery.deliver(connector, rows.subList(from, to), plan.retryPolicy());
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

    private void deadLetter(ChangeBatch batch, List<FinalOutcome> outcomes) {
        List<DeadLetters.Letter> letters = new ArrayList<>();
        String type = null;
        for (int i = 0; i < outcomes.size(); i++) {
            FinalOutcome outcome = outcomes.get(i);
            if (outcome.status() == OutcomeStatus.ACCEPTED) {
                continue;
            }
            if (type == null) {
                type = destinationType(batch);
            }
            Change change = batch.getChanges().get(i);
            letters.add(new DeadLetters.Letter(batch.getSyncId(), batch.getRunId(), type,
                    change.getOp().name().toLowerCase(Locale.ROOT), change.getPk(), outcome.status().name(),
                    outcome.reason(), change.getData()));
        }
        if (!letters.isEmpty()) {
            deadLetters.send(letters);
        }
    }

    private static String destinationType(ChangeBatch batch) {
        try {
            SyncSpec spec = SyncSpec.fromJson(batch.getSpecJson());
            return spec.destination() == null ? null : spec.destination().type();
        } catch (IllegalArgumentException e) {
            return null;
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
