package dev.eddy.diff.service;

import dev.eddy.contracts.ProgressBeat;
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
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Protocol step 4: stages each row batch of a run once (one transaction per batch: its keys appended to
 * the run's {@link StagedKeys} and compared with the snapshot in one statement, only rows to send kept with
 * their data), and on the END marker finds repeated keys and removals set-based, then publishes the change
 * set, or ends the run when there is nothing to send, the extraction failed or a primary key repeats.
 */
@ApplicationScoped
public class ChangeSetBuilder {

    private static final Logger LOG = Logger.getLogger(ChangeSetBuilder.class);

    private final AgroalDataSource dataSource;
    private final RunStore runs;
    private final StagedKeys keys;
    private final SnapshotStore snapshot;
    private final RunFinisher finisher;
    private final EventPublisher publisher;
    private final DiffConfig.Changes settings;

    public ChangeSetBuilder(AgroalDataSource dataSource, RunStore runs, StagedKeys keys, SnapshotStore snapshot,
                            RunFinisher finisher, EventPublisher publisher, DiffConfig config) {
        this.dataSource = dataSource;
        this.runs = runs;
        this.keys = keys;
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
            stageRows(c, run, batch.getSeq(), batch.getRows());
        } else {
            end(c, run, batch);
        }
    }

    private void stageRows(Connection c, Run run, int seq, List<Row> rows) throws SQLException {
        keys.create(c, run.runId());
        if (rows.isEmpty()) {
            return;
        }
        String[] pks = new String[rows.size()];
        byte[][] hashes = new byte[rows.size()][];
        for (int i = 0; i < pks.length; i++) {
            pks[i] = rows.get(i).getPk();
            hashes[i] = bytes(rows.get(i).getHash());
        }
        if (run.resetCdc()) {
            keys.stage(c, run.runId(), seq, pks, hashes, true, null); // reset CDC only takes the keys and hashes
            return;
        }
        ChangeSetPlanner planner = ChangeSetPlanner.forSpec(SyncSpec.fromJson(run.specJson()), run.fullResync());
        List<PlannedChange> planned = new ArrayList<>();
        Set<String> batchKeys = new HashSet<>();
        if (planner.needsSnapshot()) {
            // rows whose hash equals the delivered one are never sent, so only the differing ones come back
            for (StagedKeys.Differing row : keys.stage(c, run.runId(), seq, pks, hashes, false, run.syncId())) {
                plan(planner, rows, pks, hashes, row.index(), row.deliveredHash(), batchKeys, planned);
            }
        } else {
            keys.stage(c, run.runId(), seq, pks, hashes, false, null);
            for (int i = 0; i < pks.length; i++) {
                plan(planner, rows, pks, hashes, i, null, batchKeys, planned);
            }
        }
        runs.addPending(c, run.runId(), planned);
    }

    /** Plans one row; a key repeated within the batch is planned once (the repetition fails the run on END). */
    private static void plan(ChangeSetPlanner planner, List<Row> rows, String[] pks, byte[][] hashes, int i,
                             byte[] deliveredHash, Set<String> batchKeys, List<PlannedChange> planned) {
        if (!batchKeys.add(pks[i])) {
            return;
        }
        Optional<ChangeOp> op = planner.planRow(hashes[i], deliveredHash);
        if (op.isPresent()) {
            planned.add(new PlannedChange(pks[i], op.get(), hashes[i], rows.get(i).getData()));
        }
    }

    private void end(Connection c, Run run, RowBatch end) throws SQLException {
        Long querySize = end.getQuerySize();
        if (end.getError() != null) {
            LOG.infof("sync %s run %s: the extraction failed (%s)", run.syncId(), run.runId(), end.getErrorCode());
            finisher.finish(c, run, RunFinisher.Outcome.failure(querySize, end.getError(), end.getErrorCode()));
            return;
        }
        RunStore.MissingBatches staged = runs.missingRowBatches(c, run.runId(), end.getSeq(), RunVerdict.MAX_MISSING_NAMED);
        if (!staged.complete()) {
            // a batch that never arrived (dead-lettered, lost) would turn its rows into removals: plan nothing
            String message = RunVerdict.incompleteExtractionMessage(staged.missing(), staged.missingCount(),
                    staged.beyond(), end.getSeq(), run.attempt());
            LOG.warnf("sync %s run %s: the extraction is incomplete: %s", run.syncId(), run.runId(), message);
            finisher.finish(c, run, RunFinisher.Outcome.failure(querySize, message, RunVerdict.INCOMPLETE_EXTRACTION));
            return;
        }
        ProgressBeat progress = new ProgressBeat(ProgressBeat.INTERVAL, () -> finisher.processing(run, querySize, null));
        SyncSpec spec = SyncSpec.fromJson(run.specJson());
        keys.create(c, run.runId());
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('work_mem', ?, true)")) {
            // the run-wide GROUP BY and anti-join below hash every staged key: keep them in memory
            ps.setString(1, settings.planWorkMem());
            ps.execute();
        }
        StagedKeys.Duplicates duplicates = keys.duplicates(c, run.runId(), RunVerdict.MAX_DUPLICATES_NAMED);
        progress.beat();
        if (duplicates.count() > 0) {
            String keyColumn = spec.model() == null ? "primary key" : spec.model().primaryKey();
            finisher.finish(c, run, RunFinisher.Outcome.failure(querySize,
                    RunVerdict.duplicateKeyMessage(keyColumn, duplicates.values(), duplicates.count()),
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
        progress.beat();
        RunStore.PlannedCounts counts = runs.plannedCounts(c, run.runId());
        if (counts.sent() == 0) {
            snapshot.dropUnsentRemovals(c, run.syncId(), run.runId());
            finisher.finish(c, run, new RunFinisher.Outcome(RunStatus.success, querySize, counts.planned(),
                    counts.unsent(), RowCounts.ZERO, RowCounts.ZERO, null, null));
            return;
        }
        int batches = publishChangeSet(c, run, counts.planned(), new ProgressBeat(ProgressBeat.INTERVAL,
                () -> finisher.processing(run, querySize, counts.planned())));
        runs.markDelivering(c, run.runId(), querySize, end.getColumns(), counts, batches);
        keys.drop(c, run.runId()); // planned: the run's keys are no longer needed
        finisher.processing(run, querySize, counts.planned());
        LOG.infof("sync %s run %s: change set published, %d batches (added %d, changed %d, removed %d)",
                run.syncId(), run.runId(), batches, counts.planned().added(), counts.planned().changed(),
                counts.planned().removed());
    }

    /** Publishes the change batches and the END marker; answers the number of ROWS batches. */
    private int publishChangeSet(Connection c, Run run, RowCounts planned, ProgressBeat progress) throws SQLException {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        List<Change> changes = new ArrayList<>(settings.batchSize());
        int[] seq = {0};
        runs.forEachChangeToSend(c, run.runId(), settings.fetchSize(), (pk, op, data) -> {
            changes.add(Change.newBuilder().setOp(op).setPk(pk).setData(op == ChangeOp.REMOVED ? null : data).build());
            progress.beat();
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
