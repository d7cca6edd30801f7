package dev.eddy.config.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.config.domain.Run;
import dev.eddy.config.domain.Sequence;
import dev.eddy.config.domain.SequenceRun;
import dev.eddy.config.domain.Sync;
import dev.eddy.config.store.CatalogStore;
import dev.eddy.config.store.ConfigSchema;
import dev.eddy.config.store.Database;
import dev.eddy.config.store.RunStore;
import dev.eddy.config.store.SequenceStore;
import dev.eddy.contracts.RunIds;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs sync sequences: each step triggers its sync (as a {@code sequence} trigger) when the step before it has
 * ended, and the step's failure policy decides whether the sequence goes on. A sequence never runs at the same
 * time as itself: a trigger while it runs queues one {@code pending} run, and later triggers answer that one.
 *
 * <p>State lives in {@code config.sequence_runs}; every change happens under the sequence's row lock. A step
 * advances on its sync run's terminal run event; a sweep every {@code eddy.sequences.sweep} re-checks the open
 * runs, so a missed event, a crash between the steps, or a trigger that could not be published (broker down)
 * delays a sequence but never strands it.
 */
@ApplicationScoped
public class SequenceRunner {

    private static final Logger LOG = Logger.getLogger(SequenceRunner.class);
    /** Sync run statuses that stop a {@code stop_on_fatal} sequence. */
    private static final Set<String> FATAL = Set.of("failed", "cancelled", "interrupted");

    private final Database db;
    private final SequenceStore store;
    private final CatalogStore catalog;
    private final RunStore runs;
    private final SyncTriggers triggers;
    private final Duration sweep;
    private ScheduledExecutorService sweeper;

    public SequenceRunner(Database db, SequenceStore store, CatalogStore catalog, RunStore runs, SyncTriggers triggers,
                          @ConfigProperty(name = "eddy.sequences.sweep", defaultValue = "5s") Duration sweep) {
        this.db = db;
        this.store = store;
        this.catalog = catalog;
        this.runs = runs;
        this.triggers = triggers;
        this.sweep = sweep;
    }

    void onStart(@Observes @Priority(ConfigSchema.STARTUP_PRIORITY + 60) StartupEvent event) {
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sequence-sweep");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, sweep.toMillis(), sweep.toMillis(), TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes @Priority(1) ShutdownEvent event) {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }

    /**
     * Triggers the sequence; answers the run id: a new running run, a new pending run queued behind the running
     * one, or the pending run already queued. A replayed {@code triggerId} answers the run it created.
     */
    public String trigger(String sequenceId, String source, String triggerId) {
        long key = Catalog.parseId("sync sequence", sequenceId);
        return db.inTransaction(c -> {
            Sequence sequence = store.lock(c, key).orElseThrow(() -> new UnknownObjectException("sync sequence", sequenceId));
            if (triggerId != null) {
                Optional<SequenceRun> replay = store.findRunByTrigger(c, triggerId);
                if (replay.isPresent()) {
                    return Long.toString(replay.get().id());
                }
            }
            List<SequenceRun> open = store.openRunsOf(c, key);
            Optional<SequenceRun> pending = open.stream().filter(r -> r.status().equals(SequenceRun.PENDING)).findFirst();
            if (pending.isPresent()) {
                return Long.toString(pending.get().id());
            }
            boolean busy = open.stream().anyMatch(r -> r.status().equals(SequenceRun.RUNNING));
            Instant now = now();
            SequenceRun run = new SequenceRun(Long.parseLong(RunIds.next()), key, busy ? SequenceRun.PENDING : SequenceRun.RUNNING,
                    source, triggerId, now, busy ? null : now, null, null, freshSteps(sequence));
            store.insertRun(c, run);
            if (busy) {
                LOG.infof("sequence %s: run %s pending behind its running run", key, run.id());
            } else {
                store.updateRun(c, advance(c, run));
                LOG.infof("sequence %s: run %s started (%s)", key, run.id(), source);
            }
            return Long.toString(run.id());
        });
    }

    /** Called after a sync run's terminal event was recorded: the sequence waiting on it takes its next step. */
    public void onSyncRunEnded(long syncRunId) {
        try {
            Optional<Long> sequence = db.inTransaction(c -> store.sequenceWaitingOn(c, syncRunId));
            if (sequence.isPresent()) {
                progress(sequence.get());
            }
        } catch (RuntimeException e) {
            LOG.warnf("sequence step after sync run %s not taken yet (the sweep retries): %s", syncRunId, e.getMessage());
        }
    }

    /** Re-checks every sequence with an open run. */
    void sweep() {
        try {
            for (long id : db.inTransaction(store::sequencesWithOpenRuns)) {
                try {
                    progress(id);
                } catch (RuntimeException e) {
                    LOG.warnf("sequence %s not advanced (retried at the next sweep): %s", id, e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("sequence sweep failed: %s", e.getMessage());
        }
    }

    /** Advances the sequence's running run, and starts its pending run once the running one has ended. */
    void progress(long sequenceId) {
        db.inTransaction(c -> {
            Optional<Sequence> sequence = store.lock(c, sequenceId);
            if (sequence.isEmpty()) {
                return null;
            }
            for (SequenceRun open : store.openRunsOf(c, sequenceId)) {
                SequenceRun run = open;
                if (run.status().equals(SequenceRun.PENDING)) {
                    run = new SequenceRun(run.id(), run.sequenceId(), SequenceRun.RUNNING, run.trigger(), run.triggerId(),
                            run.createdAt(), now(), null, null, freshSteps(sequence.get()));
                    LOG.infof("sequence %s: pending run %s started", sequenceId, run.id());
                }
                SequenceRun advanced = advance(c, run);
                store.updateRun(c, advanced);
                if (!advanced.isTerminal()) {
                    break; // one run at a time
                }
            }
            return null;
        });
    }

    /** Ends the sequence's pending and running runs {@code cancelled} (in the caller's transaction). */
    void cancelOpenRuns(Connection c, long sequenceId, String reason) throws SQLException {
        for (SequenceRun run : store.openRunsOf(c, sequenceId)) {
            ArrayNode steps = run.steps().deepCopy();
            for (JsonNode step : steps) {
                if (step.path("status").asText().equals(SequenceRun.STEP_PENDING)) {
                    ((ObjectNode) step).put("status", SequenceRun.STEP_SKIPPED);
                }
            }
            store.updateRun(c, new SequenceRun(run.id(), run.sequenceId(), SequenceRun.CANCELLED, run.trigger(),
                    run.triggerId(), run.createdAt(), run.startedAt(), now(), reason, steps));
        }
    }

    public Optional<SequenceRun> run(String runId) {
        if (runId == null || !runId.matches("\\d{1,18}")) {
            return Optional.empty();
        }
        return db.inTransaction(c -> store.findRun(c, Long.parseLong(runId)));
    }

    public List<SequenceRun> runsOf(String sequenceId, int limit, int offset) {
        long key = Catalog.parseId("sync sequence", sequenceId);
        return db.inTransaction(c -> {
            store.find(c, key).orElseThrow(() -> new UnknownObjectException("sync sequence", sequenceId));
            return store.runsOf(c, key, limit, offset);
        });
    }

    /** The live status of each step whose sync run is still going (the run history's, e.g. {@code querying}). */
    public String liveStatus(JsonNode step) {
        String status = step.path("status").asText();
        String syncRunId = step.path("syncRunId").asText(null);
        if (syncRunId == null || Run.TERMINAL.contains(status) || SequenceRun.STEP_SKIPPED.equals(status)) {
            return status;
        }
        return db.inTransaction(c -> runs.find(c, Long.parseLong(syncRunId))).map(Run::status).orElse(status);
    }

    // ---- the step machine

    /** Takes every step that can be taken now; answers the run as it stands after them. */
    private SequenceRun advance(Connection c, SequenceRun run) throws SQLException {
        ArrayNode steps = run.steps().deepCopy();
        for (int i = 0; i < steps.size(); i++) {
            ObjectNode step = (ObjectNode) steps.get(i);
            String status = step.path("status").asText();
            if (Run.TERMINAL.contains(status) || SequenceRun.STEP_SKIPPED.equals(status)) {
                continue;
            }
            if (step.path("syncRunId").isNull() || step.path("syncRunId").isMissingNode()) {
                if (!start(c, run, step)) {
                    return with(run, SequenceRun.RUNNING, null, steps); // waiting on the step's sync run
                }
            } else {
                Optional<Run> syncRun = runs.find(c, step.path("syncRunId").asLong());
                if (syncRun.isEmpty()) {
                    end(step, "failed", "the sync run " + step.path("syncRunId").asText() + " no longer exists");
                } else if (!syncRun.get().isTerminal()) {
                    step.put("status", syncRun.get().status());
                    return with(run, SequenceRun.RUNNING, null, steps);
                } else {
                    Run ended = syncRun.get();
                    end(step, ended.status(), ended.error());
                    step.put("finishedAt", ended.finishedAt() == null ? now().toString() : ended.finishedAt().toString());
                    step.put("failedRows", failed(ended));
                }
            }
            String stop = stopReason(step);
            if (stop != null) {
                for (int j = i + 1; j < steps.size(); j++) {
                    ((ObjectNode) steps.get(j)).put("status", SequenceRun.STEP_SKIPPED);
                }
                String error = "step " + (i + 1) + " (sync " + step.path("syncId").asText() + ") " + stop
                        + " and its failure policy is " + step.path("failurePolicy").asText() + "; the later steps were skipped";
                LOG.infof("sequence %s: run %s failed: %s", run.sequenceId(), run.id(), error);
                return with(run, SequenceRun.FAILED, error, steps);
            }
        }
        LOG.infof("sequence %s: run %s done", run.sequenceId(), run.id());
        return with(run, SequenceRun.DONE, null, steps);
    }

    /** Triggers the step's sync; false when it now waits on that run, true when the step ended at once. */
    private boolean start(Connection c, SequenceRun run, ObjectNode step) throws SQLException {
        long syncId = step.path("syncId").asLong();
        Optional<Sync> sync = catalog.lockSync(c, syncId);
        if (sync.isEmpty()) {
            end(step, "failed", "sync " + syncId + " no longer exists");
            return true;
        }
        Savepoint before = c.setSavepoint();
        try {
            String syncRunId = triggers.trigger(c, sync.get(), false, false, "sequence", Long.toString(run.id()));
            step.put("syncRunId", syncRunId);
            step.put("status", Run.QUEUED);
            return false;
        } catch (ValidationException e) {
            end(step, "failed", "sync " + syncId + " was not triggered: " + String.join("; ", e.details().values()));
            return true;
        } catch (TriggerNotPublishedException e) {
            // the broker is away: the step stays pending (no run recorded) and the sweep triggers it again
            c.rollback(before);
            LOG.warnf("sequence %s: run %s: sync %s not triggered yet: %s", run.sequenceId(), run.id(), syncId, e.getMessage());
            return false;
        }
    }

    private static String stopReason(ObjectNode step) {
        String status = step.path("status").asText();
        String policy = step.path("failurePolicy").asText(Sequence.STOP_ON_FATAL);
        boolean fatal = FATAL.contains(status);
        boolean rejected = "warning".equals(status) || step.path("failedRows").asLong(0) > 0;
        String what = "ended " + status + (step.hasNonNull("error") ? " (" + step.path("error").asText() + ")" : "");
        if (fatal && !policy.equals(Sequence.NEVER)) {
            return what;
        }
        if (rejected && policy.equals(Sequence.STOP_ON_FATAL_OR_REJECTED)) {
            return what + " with " + step.path("failedRows").asLong(0) + " rejected row(s)";
        }
        return null;
    }

    private static void end(ObjectNode step, String status, String error) {
        step.put("status", status);
        if (error != null) {
            step.put("error", error);
        }
        step.put("finishedAt", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
    }

    private static long failed(Run run) {
        return run.failedRows() == null ? 0
                : run.failedRows().addedCount() + run.failedRows().changedCount() + run.failedRows().removedCount();
    }

    private static SequenceRun with(SequenceRun run, String status, String error, ArrayNode steps) {
        Instant finished = SequenceRun.TERMINAL.contains(status) ? now() : null;
        return new SequenceRun(run.id(), run.sequenceId(), status, run.trigger(), run.triggerId(), run.createdAt(),
                run.startedAt(), finished, error, steps);
    }

    /** The sequence's steps as a run starts them: each {@code pending}, with no sync run yet. */
    private static ArrayNode freshSteps(Sequence sequence) {
        ArrayNode steps = JsonNodeFactory.instance.arrayNode();
        for (JsonNode s : sequence.steps()) {
            steps.addObject().put("syncId", s.path("syncId").asText()).put("failurePolicy", s.path("failurePolicy").asText())
                    .put("status", SequenceRun.STEP_PENDING).putNull("syncRunId").putNull("finishedAt");
        }
        return steps;
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
