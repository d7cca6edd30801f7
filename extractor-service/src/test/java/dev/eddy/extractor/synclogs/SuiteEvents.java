package dev.eddy.extractor.synclogs;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.Change;
import dev.eddy.contracts.avro.ChangeBatch;
import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.avro.Counts;
import dev.eddy.contracts.avro.DeliveryResult;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.contracts.spec.SyncSpec;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Plays the rest of the suite around the extractor's sync-log consumer, on the real broker: the run request, the
 * change set, delivery's results and END, and the terminal run event, as the scheduler, diff and delivery publish
 * them. Shared by the sync-log tests of every warehouse (PostgreSQL, DuckDB, MySQL).
 */
final class SuiteEvents implements AutoCloseable {

    private final EventPublisher publisher;

    SuiteEvents(String bootstrapServers, String clientId) {
        this.publisher = new EventPublisher(KafkaSettings.producer(bootstrapServers, Optional.empty(), clientId));
    }

    static Change change(ChangeOp op, String pk, String data) {
        return Change.newBuilder().setOp(op).setPk(pk).setData(data).build();
    }

    static RowOutcome outcome(String pk, ChangeOp op, OutcomeStatus status, String reason) {
        return RowOutcome.newBuilder().setPk(pk).setOp(op).setStatus(status).setReason(reason).build();
    }

    static Counts counts(long added, long changed, long removed) {
        return Counts.newBuilder().setAddedCount(added).setChangedCount(changed).setRemovedCount(removed).build();
    }

    void runRequest(SyncSpec spec, String run) throws Exception {
        publisher.sendAndWait(Topics.RUN_REQUESTS, spec.syncId(), RunRequest.newBuilder().setRunId(run).setSyncId(spec.syncId())
                .setRequestedAt(Instant.now()).setSpecJson(spec.toJson()).build());
    }

    void changes(SyncSpec spec, String run, int seq, Change... changes) throws Exception {
        publisher.sendAndWait(Topics.CHANGES, spec.syncId(), ChangeBatch.newBuilder().setRunId(run).setSyncId(spec.syncId())
                .setSeq(seq).setKind(BatchKind.ROWS).setChanges(List.of(changes)).setSpecJson(spec.toJson()).build());
    }

    void results(SyncSpec spec, String run, int seq, RowOutcome... outcomes) throws Exception {
        publisher.sendAndWait(Topics.DELIVERY_RESULTS, spec.syncId(), DeliveryResult.newBuilder().setRunId(run).setSyncId(spec.syncId())
                .setSeq(seq).setKind(BatchKind.ROWS).setOutcomes(List.of(outcomes)).build());
    }

    /** Delivery's END for the run; {@code fatalError} null when delivery ended normally. */
    void deliveryEnd(SyncSpec spec, String run, String fatalError) throws Exception {
        publisher.sendAndWait(Topics.DELIVERY_RESULTS, spec.syncId(), DeliveryResult.newBuilder().setRunId(run).setSyncId(spec.syncId())
                .setSeq(99).setKind(BatchKind.END).setFatalError(fatalError).build());
    }

    /** The run's terminal event, finished now (returned); started two seconds before. */
    Instant terminal(SyncSpec spec, String run, RunStatus status, Counts planned, Counts ok, Counts failed, String error)
            throws Exception {
        Instant now = Instant.now();
        publisher.sendAndWait(Topics.RUN_EVENTS, spec.syncId(), RunEvent.newBuilder().setRunId(run).setSyncId(spec.syncId())
                .setStatus(status).setTerminal(true).setProducer("test").setAt(now).setStartedAt(now.minusSeconds(2)).setFinishedAt(now)
                .setPlannedRows(planned).setSuccessfulRows(ok).setFailedRows(failed).setError(error).build());
        return now;
    }

    @Override
    public void close() {
        publisher.close();
    }
}
