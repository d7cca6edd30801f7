package dev.eddy.delivery.service;

import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.Change;
import dev.eddy.contracts.avro.ChangeBatch;
import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.contracts.kafka.AvroSize;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.delivery.config.DeliveryConfig;
import dev.eddy.delivery.mapping.RowDataException;
import dev.eddy.delivery.messaging.DeadLetters;
import dev.eddy.delivery.messaging.DeliveryEvents;
import dev.eddy.delivery.spi.DeliveryRow;
import dev.eddy.delivery.spi.DestinationConfigurationException;
import dev.eddy.delivery.spi.DestinationConnector;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Delivers a run's change batches (protocol step 5): maps each batch's rows, writes them through the
 * destination's connector, publishes one outcome per row and the run's progress, and on the change set's END
 * publishes the end of the run's delivery. A fatal error (unknown destination type, invalid configuration,
 * unreachable destination) marks the run: its later batches are not sent and their rows are reported FAILED.
 * Every rejected or failed row also goes to the dead-letter topic with its context ({@link DeadLetters}).
 * The sync's spec is turned into a {@link DeliveryPlan} per batch (connector, mappings, type, limits, retries).
 * Idempotent on redelivery: a replayed batch is delivered again (at-least-once) and reported again.
 *
 * <p>Pipelined, so the destination waits as little as possible between two requests: while batch n is written on
 * the sender thread (one batch at a time, in the order received, so each sync's order holds), the consumer thread
 * maps batch n+1, then reports batch n (its result published without waiting for the broker) and hands batch n+1
 * over. {@link #settle()}, called before the consumer commits, completes the batch in flight and waits for the
 * broker's acknowledgements; the END result goes out only after every earlier result and progress event.
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

    /**
     * A batch mapped and ready to send: the outcomes known already (rows the mapping rejected, rows the sync does
     * not send), the rows for the connector and their positions in the batch. Without a plan (the run was fatal
     * already, or the plan failed with {@code planError}) nothing is sent.
     */
    private record Prepared(ChangeBatch batch, RunTracker.RunState run, DeliveryPlan plan, String planError,
                            FinalOutcome[] outcomes, List<DeliveryRow> rows, List<Integer> positions) {
    }

    /** The batch being sent on the sender thread. */
    private record InFlight(ChangeBatch batch, RunTracker.RunState run, Future<List<FinalOutcome>> outcomes) {
    }

    private final DeliveryPlanner planner;
    private final DeadLetters deadLetters;
    private final BatchDelivery batchDelivery;
    private final RunTracker runs;
    private final DeliveryEvents events;
    private final SecretBox secretBox;
    private final DeliveryConfig config;
    private final Clock clock;
    private final int maxRecordBytes;
    /** Sends one batch at a time, in the order handed over, so a sync's batches reach the destination in order. */
    private final ExecutorService sender = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "delivery-sender");
        thread.setDaemon(true);
        return thread;
    });
    /** Touched by the consumer thread only. */
    private InFlight inFlight;
    /** The spec last read and its JSON; touched by the consumer thread only. */
    private ParsedSpec lastSpec;

    private record ParsedSpec(String json, SyncSpec spec) {
    }

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
        this.maxRecordBytes = config.kafka().maxRecordBytes();
    }

    /**
     * Handles one change batch. A ROWS batch is mapped here, while the previous batch is still being sent; then
     * the previous batch's outcomes are reported and this batch is handed to the sender. An END first completes
     * the batch in flight.
     */
    public void handle(ChangeBatch batch) {
        withRun(batch, () -> {
            if (batch.getKind() == BatchKind.END) {
                completeInFlight();
                finish(batch);
                return;
            }
            Prepared next = prepare(batch);
            try {
                completeInFlight();
            } catch (RuntimeException e) {
                // the previous batch is still to be reported; this one is prepared again when it is handled again
                closeConnector(next);
                throw e;
            }
            inFlight = new InFlight(batch, next.run(), sender.submit(() -> send(next)));
        });
    }

    /**
     * Completes the batch in flight and waits until the broker acknowledged the results and progress of every batch
     * handled so far; only then may those batches' offsets be committed.
     *
     * @throws dev.eddy.delivery.messaging.UnconfirmedPublicationException when one was not acknowledged
     */
    public void settle() {
        completeInFlight();
        events.awaitPublished();
    }

    @PreDestroy
    void stop() {
        // not shutdownNow: an interrupted retry would report its rows FAILED; unfinished batches are not committed
        // and are delivered again after the restart
        sender.shutdown();
    }

    /** Parses the spec, plans and maps the batch's rows (the consumer thread); connector I/O waits for {@link #send}. */
    private Prepared prepare(ChangeBatch batch) {
        RunTracker.RunState run = runs.run(batch.getRunId());
        List<Change> changes = batch.getChanges();
        FinalOutcome[] outcomes = new FinalOutcome[changes.size()];
        if (run.fatalError() != null) {
            return new Prepared(batch, run, null, null, outcomes, List.of(), List.of());
        }
        DeliveryPlan plan;
        try {
            plan = planner.plan(spec(batch), batch.getSyncId(), batch.getRunId(), secretBox::open);
        } catch (DeliveryPlanner.PlanException | RunFatalException e) {
            return new Prepared(batch, run, null, e.getMessage(), outcomes, List.of(), List.of());
        }
        List<DeliveryRow> rows = new ArrayList<>(changes.size());
        List<Integer> positions = new ArrayList<>(changes.size());
        try {
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
        } catch (RuntimeException e) {
            plan.connector().close();
            throw e;
        }
        return new Prepared(batch, run, plan, null, outcomes, rows, positions);
    }

    /** Writes a prepared batch through its connector (the sender thread); closes the connector. */
    private List<FinalOutcome> send(Prepared prepared) {
        MDC.put("syncId", prepared.batch().getSyncId());
        MDC.put("runId", prepared.batch().getRunId());
        try {
            int size = prepared.outcomes().length;
            RunTracker.RunState run = prepared.run();
            // checked here, not when prepared: the batch before this one may have stopped the run meanwhile
            String fatal = run.fatalError();
            if (fatal != null) {
                closeConnector(prepared);
                return notSent(size, fatal);
            }
            if (prepared.planError() != null) {
                markFatal(run, prepared.planError());
                return notSent(size, prepared.planError());
            }
            try {
                return deliverTo(prepared);
            } catch (RunFatalException e) {
                markFatal(run, e.getMessage());
                return notSent(size, e.getMessage());
            }
        } finally {
            MDC.remove("syncId");
            MDC.remove("runId");
        }
    }

    private List<FinalOutcome> deliverTo(Prepared prepared) throws RunFatalException {
        DeliveryPlan plan = prepared.plan();
        DestinationConnector connector = plan.connector();
        try (connector) {
            FinalOutcome[] outcomes = prepared.outcomes();
            List<DeliveryRow> rows = prepared.rows();
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

            RunTracker.RunState run = prepared.run();
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
                    outcomes[prepared.positions().get(from + j)] = slice.get(j);
                }
            }
            return Arrays.asList(outcomes);
        }
    }

    /** Waits for the batch in flight and reports its outcomes; it stays in flight if reporting fails. */
    private void completeInFlight() {
        InFlight current = inFlight;
        if (current == null) {
            return;
        }
        List<FinalOutcome> outcomes = outcomes(current);
        withRun(current.batch(), () -> report(current.batch(), current.run(), outcomes));
        inFlight = null;
    }

    private List<FinalOutcome> outcomes(InFlight current) {
        try {
            return current.outcomes().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while batch " + current.batch().getSeq() + " was sent", e);
        } catch (CancellationException e) {
            throw new IllegalStateException("delivery stopped while batch " + current.batch().getSeq() + " was sent", e);
        } catch (ExecutionException e) {
            // connectors' failures are outcomes already (BatchDelivery); what is left is a defect: it stops the run
            String fatal = "delivery failed: " + e.getCause();
            LOG.errorf(e.getCause(), "Sync %s run %s: batch %d failed unexpectedly; the run stops",
                    current.batch().getSyncId(), current.batch().getRunId(), current.batch().getSeq());
            markFatal(current.run(), fatal);
            return notSent(current.batch().getChanges().size(), fatal);
        }
    }

    /** Publishes a batch's outcomes (without waiting for the broker), its dead letters and the run's progress. */
    private void report(ChangeBatch batch, RunTracker.RunState run, List<FinalOutcome> outcomes) {
        List<RowOutcome> rowOutcomes = new ArrayList<>(outcomes.size());
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            Change change = batch.getChanges().get(i);
            FinalOutcome outcome = outcomes.get(i);
            accepted += outcome.status() == OutcomeStatus.ACCEPTED ? 1 : 0;
            rejected += outcome.status() == OutcomeStatus.REJECTED ? 1 : 0;
            // the constructor, not the builder: the builder checks and copies each field, for every row (profiled)
            rowOutcomes.add(new RowOutcome(change.getPk(), change.getOp(), outcome.status(), outcome.reason()));
        }
        if (accepted < outcomes.size()) {
            boundReasons(batch, rowOutcomes);
        }
        deadLetter(batch, outcomes);
        events.batchDelivered(batch.getSyncId(), batch.getRunId(), batch.getSeq(), rowOutcomes);
        run.addOutcomes(rowOutcomes.size());
        if (run.progressDue(clock.instant(), config.delivery().progressInterval())) {
            // the planned row count only arrives with the END marker, so no completion ratio is known here
            events.progress(batch.getSyncId(), batch.getRunId(), null, clock.instant());
        }
        // per batch at DEBUG: a run of a million rows has a thousand batches; its END is logged at INFO
        LOG.debugf("Sync %s run %s: batch %d delivered: %d accepted, %d rejected, %d failed",
                batch.getSyncId(), batch.getRunId(), batch.getSeq(), accepted, rejected,
                outcomes.size() - accepted - rejected);
    }

    /**
     * Shortens the rows' reasons so the batch's result fits one record under {@code eddy.kafka.max-record-bytes}
     * (see {@link OutcomeReasons} for the math). Only batches with a reason pay for it; all-accepted ones skip it.
     */
    private void boundReasons(ChangeBatch batch, List<RowOutcome> rowOutcomes) {
        long fixed = AvroSize.RECORD_OVERHEAD + AvroSize.string(batch.getRunId()) + 2L * AvroSize.string(batch.getSyncId());
        int perRow = OutcomeReasons.perRowBytes(rowOutcomes, fixed, maxRecordBytes);
        if (perRow >= OutcomeReasons.MAX_REASON_BYTES) {
            return; // every reason is within that already (FinalOutcome)
        }
        for (RowOutcome outcome : rowOutcomes) {
            outcome.setReason(OutcomeReasons.truncate(outcome.getReason(), perRow));
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

    private String destinationType(ChangeBatch batch) {
        try {
            SyncSpec spec = spec(batch);
            return spec.destination() == null ? null : spec.destination().type();
        } catch (RunFatalException e) {
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

    /**
     * The batch's spec. Every batch of a run carries the same spec JSON, so the last one read is kept (touched by the
     * consumer thread only) instead of parsing it again for each batch.
     */
    private SyncSpec spec(ChangeBatch batch) throws RunFatalException {
        ParsedSpec last = lastSpec;
        if (last != null && last.json().equals(batch.getSpecJson())) {
            return last.spec();
        }
        try {
            SyncSpec spec = SyncSpec.fromJson(batch.getSpecJson());
            lastSpec = new ParsedSpec(batch.getSpecJson(), spec);
            return spec;
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

    private static void closeConnector(Prepared prepared) {
        if (prepared.plan() != null) {
            // close() must not throw (connector contract)
            prepared.plan().connector().close();
        }
    }

    private static void withRun(ChangeBatch batch, Runnable action) {
        Object syncId = MDC.get("syncId");
        Object runId = MDC.get("runId");
        MDC.put("syncId", batch.getSyncId());
        MDC.put("runId", batch.getRunId());
        try {
            action.run();
        } finally {
            restore("syncId", syncId);
            restore("runId", runId);
        }
    }

    private static void restore(String key, Object value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    private static List<FinalOutcome> notSent(int rows, String fatalError) {
        List<FinalOutcome> outcomes = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            outcomes.add(FinalOutcome.failed("not sent: " + fatalError));
        }
        return outcomes;
    }
}
