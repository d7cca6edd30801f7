package dev.eddy.diff.service;

import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.avro.DeliveryResult;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.diff.config.DiffConfig;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Protocol step 6: commits accepted rows to the snapshot (one transaction per delivery result, once per
 * batch), counts the outcomes, and on the delivery's END publishes the run's one terminal event.
 */
@ApplicationScoped
public class OutcomeRecorder {

    private static final Logger LOG = Logger.getLogger(OutcomeRecorder.class);

    private final AgroalDataSource dataSource;
    private final RunStore runs;
    private final SnapshotStore snapshot;
    private final RunFinisher finisher;
    private final Duration planWait;

    public OutcomeRecorder(AgroalDataSource dataSource, RunStore runs, SnapshotStore snapshot, RunFinisher finisher,
                           DiffConfig config) {
        this.dataSource = dataSource;
        this.runs = runs;
        this.snapshot = snapshot;
        this.finisher = finisher;
        this.planWait = config.changes().planWait();
    }

    /**
     * Records one delivery result. A result of a run still being planned waits (bounded by
     * {@code eddy.changes.plan-wait}) until the plan commits: after a crash of this service during planning
     * the replayed planning republishes the same change set, and the first attempt's results then count
     * exactly once. Waiting here, rather than failing, keeps them out of the dead-letter topic.
     */
    public void handle(DeliveryResult result) throws SQLException {
        long deadline = System.nanoTime() + planWait.toNanos();
        while (true) {
            try {
                recordOnce(result);
                return;
            } catch (RunNotPlannedException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                LOG.debugf("sync %s run %s: delivery result %d waits for the change set to be committed",
                        result.getSyncId(), result.getRunId(), result.getSeq());
                pause();
            }
        }
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a run's change set", e);
        }
    }

    private void recordOnce(DeliveryResult result) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                record(c, result);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private void record(Connection c, DeliveryResult result) throws SQLException {
        Run run = runs.lock(c, result.getRunId());
        if (run == null) {
            LOG.warnf("sync %s run %s: delivery result for a run this service never planned, skipped",
                    result.getSyncId(), result.getRunId());
            return;
        }
        if (run.state() == Run.State.FINISHED) {
            LOG.debugf("sync %s run %s: delivery result %d after the run ended, skipped", run.syncId(), run.runId(),
                    result.getSeq());
            return;
        }
        if (run.state() == Run.State.STAGING) {
            throw new RunNotPlannedException(run.syncId(), run.runId());
        }
        if (!runs.markDone(c, run.runId(), RunStore.RESULTS, result.getSeq())) {
            LOG.debugf("sync %s run %s: delivery result %d already recorded", run.syncId(), run.runId(), result.getSeq());
            return;
        }
        if (result.getKind() == BatchKind.ROWS) {
            recordOutcomes(c, run, result.getOutcomes());
        } else {
            end(c, run, result.getFatalError());
        }
    }

    private void recordOutcomes(Connection c, Run run, List<RowOutcome> outcomes) throws SQLException {
        if (outcomes.isEmpty()) {
            return;
        }
        Set<String> accepted = new HashSet<>();
        List<String> all = new ArrayList<>(outcomes.size());
        for (RowOutcome outcome : outcomes) {
            all.add(outcome.getPk());
            if (outcome.getStatus() == OutcomeStatus.ACCEPTED) {
                accepted.add(outcome.getPk());
            }
        }
        snapshot.commitAccepted(c, run.syncId(), run.runId(), accepted);
        Map<String, ChangeOp> resolved = runs.resolvePending(c, run.runId(), all);
        RowCounts ok = RowCounts.ZERO;
        RowCounts failed = RowCounts.ZERO;
        for (Map.Entry<String, ChangeOp> row : resolved.entrySet()) {
            if (accepted.contains(row.getKey())) {
                ok = ok.plus(row.getValue(), 1);
            } else {
                failed = failed.plus(row.getValue(), 1);
            }
        }
        runs.addOutcomes(c, run.runId(), ok, failed);
    }

    private void end(Connection c, Run run, String fatalError) throws SQLException {
        RowCounts failed = run.failed().plus(runs.unresolved(c, run.runId()));
        if (fatalError == null) {
            snapshot.dropUnsentRemovals(c, run.syncId(), run.runId());
        }
        finisher.finish(c, run, new RunFinisher.Outcome(RunVerdict.terminalStatus(fatalError, failed),
                run.querySize(), run.planned(), run.unsent(), run.ok(), failed, fatalError, null));
    }
}
