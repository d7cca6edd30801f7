package dev.eddy.diff.service;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.Change;
import dev.eddy.contracts.avro.ChangeBatch;
import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.avro.Row;
import dev.eddy.contracts.avro.RowBatch;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.diff.config.DiffConfig;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Protocol step 4: stages each row batch of a run once (one transaction per batch), compares its rows
 * with the snapshot, and on the END marker publishes the change set, or ends the run when there is
 * nothing to send, the extraction failed or a primary key repeats.
 */
@ApplicationScoped
public class ChangeSetBuilder {

    private static final Logger LOG = Logger.getLogger(ChangeSetBuilder.class);

    private final AgroalDataSource dataSource;
    private final RunStore runs;
    private final SnapshotStore snapshot;
    private final RunFinisher finisher;
    private final EventPublisher publisher;
    private final DiffConfig.Changes settings;

    public ChangeSetBuilder(AgroalDataSource dataSource, RunStore runs, SnapshotStore snapshot, RunFinisher finisher,
                            EventPublisher publisher, DiffConfig config) {
        this.dataSource = dataSource;
        this.runs = runs;
        this.snapshot = snapshot;
        this.finisher = finisher;
        this.publisher = publisher;
        this.settings = config.changes();
    }

    public void handle(RowBatch batch) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                stage(c, batch);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private void stage(Connection c, RowBatch batch) throws SQLException {
        String runId = batch.getRunId();
        runs.ensureRun(c, runId, batch.getSyncId(), batch.getAttempt(), batch.getSpecJson(),
                batch.getFullResync(), batch.getResetCDC());
        Run run = runs.lock(c, runId);
        if (run.state() != Run.State.STAGING) {
            LOG.debugf("sync %s run %s: row batch %d arrived after planning, skipped", run.syncId(), runId, batch.getSeq());
            return;
        }
        if (batch.getAttempt() < run.attempt()) {
            LOG.debugf("sync %s run %s: row batch %d of superseded attempt %d skipped", run.syncId(), runId,
                    batch.getSeq(), batch.getAttempt());
            return;
        }
        if (batch.getAttempt() > run.attempt()) {
            LOG.infof("sync %s run %s: extraction attempt %d supersedes attempt %d, staged rows discarded",
                    run.syncId(), runId, batch.getAttempt(), run.attempt());
            runs.restart(c, runId, batch.getAttempt(), batch.getSpecJson(), batch.getFullResync(), batch.getResetCDC());
            run = runs.lock(c, runId);
        }
        if (!runs.markDone(c, runId, RunStore.ROWS, batch.getSeq())) {
            LOG.debugf("sync %s run %s: row batch %d already staged", run.syncId(), runId, batch.getSeq());
            return;
        }
        if (batch.getKind() == BatchKind.ROWS) {
            stageRows(c, run, batch.getRows());
        } else {
            end(c, run, batch);
        }
    }

    private void stageRows(Connection c, Run run, List<Row> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        String[] pks = new String[rows.size()];
        byte[][] hashes = new byte[rows.size()][];
        for (int i = 0; i < pks.length; i++) {
            pks[i] = rows.get(i).getPk();
            hashes[i] = bytes(rows.get(i).getHash());
        }
        Set<String> firstSeen = runs.addKeys(c, run.runId(), pks, run.resetCdc() ? hashes : null);
        List<Integer> fresh = new ArrayList<>(pks.length);
        List<String> duplicates = new ArrayList<>();
        Set<String> unclaimed = new HashSet<>(firstSeen);
        for (int i = 0; i < pks.length; i++) {
            if (unclaimed.remove(pks[i])) {
                fresh.add(i);
            } else {
                duplicates.add(pks[i]);
            }
        }
        if (!duplicates.isEmpty()) {
            runs.addDuplicates(c, run, duplicates);
        }
        if (run.resetCdc() || run.duplicateCount() + duplicates.size() > 0) {
            return; // nothing will be sent: reset CDC only takes the keys, a duplicate fails the run
        }
        ChangeSetPlanner planner = ChangeSetPlanner.forSpec(SyncSpec.fromJson(run.specJson()), run.fullResync());
        Map<String, byte[]> delivered = planner.needsSnapshot()
                ? snapshot.hashes(c, run.syncId(), fresh.stream().map(i -> pks[i]).toArray(String[]::new))
                : Map.of();
        List<PlannedChange> planned = new ArrayList<>();
        for (int i : fresh) {
            Optional<ChangeOp> op = planner.planRow(hashes[i], delivered.get(pks[i]));
            if (op.isPresent()) {
                planned.add(new PlannedChange(pks[i], op.get(), hashes[i], rows.get(i).getData()));
            }
        }
        runs.addPending(c, run.runId(), planned);
    }

    private void end(Connection c, Run run, RowBatch end) throws SQLException {
        Long querySize = end.getQuerySize();
        if (end.getError() != null) {
            LOG.infof("sync %s run %s: the extraction failed (%s)", run.syncId(), run.runId(), end.getErrorCode());
            finisher.finish(c, run, RunFinisher.Outcome.failure(querySize, end.getError(), end.getErrorCode()));
            return;
        }
        SyncSpec spec = SyncSpec.fromJson(run.specJson());
        if (run.duplicateCount() > 0) {
            String keyColumn = spec.model() == null ? "primary key" : spec.model().primaryKey();
            finisher.finish(c, run, RunFinisher.Outcome.failure(querySize,
                    RunVerdict.duplicateKeyMessage(keyColumn, run.duplicates(), run.duplicateCount()),
                    RunVerdict.NON_UNIQUE_PRIMARY_KEY));
            return;
        }
        if (run.resetCdc()) {
            snapshot.replaceWithRun(c, run.syncId(), run.runId());
            finisher.finish(c, run, new RunFinisher.Outcome(RunStatus.success, querySize, RowCounts.ZERO, 0,
                    RowCounts.ZERO, RowCounts.ZERO, null, null));
            return;
        }
        ChangeSetPlanner planner = ChangeSetPlanner.forSpec(spec, run.fullResync());
        String keyColumn = spec.model().primaryKey();
        switch (planner.removals()) {
            case SEND_REMOVED -> runs.addRemovals(c, run, ChangeOp.REMOVED, keyColumn, null);
            case SEND_CLEARED -> runs.addRemovals(c, run, ChangeOp.CHANGED, keyColumn,
                    ChangeSetPlanner.clearedFields(keyColumn, spec.mappedColumns(), end.getColumns()));
            case COUNT_ONLY -> runs.addRemovals(c, run, null, keyColumn, null);
            case NONE -> {
            }
        }
        RunStore.PlannedCounts counts = runs.plannedCounts(c, run.runId());
        if (counts.sent() == 0) {
            snapshot.dropUnsentRemovals(c, run.syncId(), run.runId());
            finisher.finish(c, run, new RunFinisher.Outcome(RunStatus.success, querySize, counts.planned(),
                    counts.unsent(), RowCounts.ZERO, RowCounts.ZERO, null, null));
            return;
        }
        int batches = publishChangeSet(c, run, counts.planned());
        runs.markDelivering(c, run.runId(), querySize, end.getColumns(), counts, batches);
        finisher.processing(run, querySize, counts.planned());
        LOG.infof("sync %s run %s: change set published, %d batches (added %d, changed %d, removed %d)",
                run.syncId(), run.runId(), batches, counts.planned().added(), counts.planned().changed(),
                counts.planned().removed());
    }

    /** Publishes the change batches and the END marker; answers the number of ROWS batches. */
    private int publishChangeSet(Connection c, Run run, RowCounts planned) throws SQLException {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        List<Change> changes = new ArrayList<>(settings.batchSize());
        int[] seq = {0};
        runs.forEachChangeToSend(c, run.runId(), settings.fetchSize(), (pk, op, data) -> {
            changes.add(Change.newBuilder().setOp(op).setPk(pk).setData(op == ChangeOp.REMOVED ? null : data).build());
            if (changes.size() == settings.batchSize()) {
                sent.add(send(run, seq[0]++, changes));
                changes.clear();
                awaitIfMany(sent);
            }
        });
        if (!changes.isEmpty()) {
            sent.add(send(run, seq[0]++, changes));
        }
        awaitAll(sent);
        publisher.sendAndWait(Topics.CHANGES, run.syncId(), ChangeBatch.newBuilder()
                .setRunId(run.runId())
                .setSyncId(run.syncId())
                .setSeq(seq[0])
                .setKind(BatchKind.END)
                .setChanges(List.of())
                .setPlanned(planned.toAvro())
                .setSpecJson(run.specJson())
                .setFullResync(run.fullResync())
                .build());
        return seq[0];
    }

    private Future<RecordMetadata> send(Run run, int seq, List<Change> changes) {
        return publisher.send(Topics.CHANGES, run.syncId(), ChangeBatch.newBuilder()
                .setRunId(run.runId())
                .setSyncId(run.syncId())
                .setSeq(seq)
                .setKind(BatchKind.ROWS)
                .setChanges(new ArrayList<>(changes))
                .setSpecJson(run.specJson())
                .setFullResync(run.fullResync())
                .build());
    }

    /** Bounds the batches in flight, so a huge change set never piles up in the producer's memory. */
    private static void awaitIfMany(List<Future<RecordMetadata>> sent) {
        if (sent.size() >= 64) {
            awaitAll(sent);
        }
    }

    private static void awaitAll(List<Future<RecordMetadata>> sent) {
        try {
            for (Future<RecordMetadata> future : sent) {
                future.get(30, TimeUnit.SECONDS);
            }
            sent.clear();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the change set", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the broker refused a change batch: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the broker did not acknowledge a change batch within 30 s", e);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
