package dev.eddy.config.service;

import dev.eddy.config.config.EddyConfig;
import dev.eddy.config.domain.Run;
import dev.eddy.config.domain.Sync;
import dev.eddy.config.store.CatalogStore;
import dev.eddy.config.store.Database;
import dev.eddy.config.store.RunStore;
import dev.eddy.contracts.RunIds;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.avro.TriggerEvent;
import dev.eddy.contracts.kafka.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

/**
 * Triggers syncs through the API (PROTOCOL.md step 1): answers the run already queued for the sync, or
 * records a new {@code queued} run and publishes its {@link TriggerEvent}, committing the run only after
 * the broker acknowledged the event. A queued run that can no longer be waiting (see {@link #lost}) is ended
 * {@code failed} first, so a lost trigger never blocks its sync.
 */
@ApplicationScoped
public class SyncTriggers {

    private static final Logger LOG = Logger.getLogger(SyncTriggers.class);
    /** Error code of a queued run ended because its trigger never reached the scheduler. */
    public static final String QUEUED_RUN_LOST = "QUEUED_RUN_LOST";
    /** Beyond the progress deadline: the scheduler's watchdog looks every 30 s, and releases take a moment. */
    static final Duration QUEUED_GRACE = Duration.ofMinutes(1);
    private static final String PRODUCER = "config-service";

    private final Database db;
    private final CatalogStore catalog;
    private final RunStore runs;
    private final EventPublisher publisher;
    private final Duration progressDeadline;

    public SyncTriggers(Database db, CatalogStore catalog, RunStore runs, EventPublisher publisher, EddyConfig config) {
        this.db = db;
        this.catalog = catalog;
        this.runs = runs;
        this.publisher = publisher;
        this.progressDeadline = config.run().progressDeadline();
    }

    /** Triggers the sync with this path id; answers the run id. */
    public String trigger(String syncId, boolean fullResync, boolean resetCDC) {
        long id = Catalog.parseId("sync", syncId);
        return db.inTransaction(c -> {
            // the row lock serializes triggers of one sync, so two concurrent triggers answer one queued run
            Sync sync = catalog.lockSync(c, id).orElseThrow(() -> new UnknownObjectException("sync", syncId));
            return trigger(c, sync, fullResync, resetCDC);
        });
    }

    /** Triggers the sync with this slug; answers the run id. */
    public String triggerBySlug(String slug, boolean fullResync) {
        return triggerBySlug(slug, fullResync, false);
    }

    /** Triggers the sync with this slug; answers the run id. */
    public String triggerBySlug(String slug, boolean fullResync, boolean resetCDC) {
        long id = db.inTransaction(c -> catalog.findSyncBySlug(c, slug))
                .orElseThrow(() -> ValidationException.of("syncSlug", "no sync with slug '" + slug + "'")).id();
        return db.inTransaction(c -> {
            Sync sync = catalog.lockSync(c, id).orElseThrow(() -> ValidationException.of("syncSlug", "no sync with slug '" + slug + "'"));
            return trigger(c, sync, fullResync, resetCDC);
        });
    }

    private String trigger(Connection c, Sync sync, boolean fullResync, boolean resetCDC) throws SQLException {
        return trigger(c, sync, fullResync, resetCDC, "api", null);
    }

    /**
     * Triggers the locked sync in the caller's transaction ({@code triggeredBy} names who asked: {@code api},
     * {@code sequence}); answers the run already queued for it, if any, else a new queued run's id.
     */
    String trigger(Connection c, Sync sync, boolean fullResync, boolean resetCDC, String triggeredBy, String sequenceRunId)
            throws SQLException {
        if (sync.disabled()) {
            throw ValidationException.of("disabled", "the sync is disabled; enable it to run it");
        }
        Optional<Run> queued = runs.findQueued(c, sync.id());
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        if (queued.isPresent() && lost(c, sync.id(), now)) {
            endLost(c, queued.get(), now); // every queued run of a quiet sync is lost alike: all are ended
            queued = Optional.empty();
        }
        if (queued.isPresent()) {
            return Long.toString(queued.get().id());
        }
        String runId = RunIds.next();
        runs.insertIfAbsent(c, Run.queued(Long.parseLong(runId), sync.id(), now, fullResync, triggeredBy));
        String key = Long.toString(sync.id());
        MDC.put("syncId", key);
        MDC.put("runId", runId);
        try {
            TriggerEvent event = TriggerEvent.newBuilder()
                    .setTriggerId(UUID.randomUUID().toString())
                    .setSource(triggeredBy)
                    .setSequenceRunId(sequenceRunId)
                    .setSyncId(key)
                    .setRunId(runId)
                    .setFullResync(fullResync)
                    .setResetCDC(resetCDC)
                    // no spec: the scheduler runs the one on the config topic, never a trigger's (anyone may write triggers)
                    .setSpecJson(null)
                    .setRequestedAt(now)
                    .build();
            try {
                publisher.sendAndWait(Topics.TRIGGERS, key, event);
            } catch (RuntimeException e) {
                throw new TriggerNotPublishedException("the trigger could not be published: " + e.getMessage(), e);
            }
            LOG.infof("run queued (fullResync=%s, resetCDC=%s)", fullResync, resetCDC);
            return runId;
        } finally {
            MDC.remove("syncId");
            MDC.remove("runId");
        }
    }

    /**
     * True when the sync's queued run can no longer be waiting on the scheduler: no run of the sync is under way and
     * nothing happened to any of them (created, started, finished) for the progress deadline plus
     * {@link #QUEUED_GRACE}. A run waiting behind one in flight is released the moment that one ends (and the
     * scheduler ends a run quiet for the deadline), so a queued run outliving that is one whose trigger was lost.
     */
    private boolean lost(Connection c, long syncId, Instant now) throws SQLException {
        RunStore.Activity activity = runs.activity(c, syncId);
        return !activity.underWay() && activity.latest() != null
                && activity.latest().isBefore(now.minus(progressDeadline).minus(QUEUED_GRACE));
    }

    /**
     * Ends every queued run of the sync {@code failed} ({@code QUEUED_RUN_LOST}), in the history and with a terminal
     * run event, so a scheduler that did keep one queued after all empties its queue slot instead of running it.
     */
    private void endLost(Connection c, Run first, Instant now) throws SQLException {
        for (Optional<Run> lost = Optional.of(first); lost.isPresent(); lost = runs.findQueued(c, first.syncId())) {
            Run run = lost.get();
            String error = "the run stayed queued for " + Duration.between(run.createdAt(), now).toSeconds()
                    + " s without the scheduler taking it up (its trigger was lost); it was ended so the sync can run again";
            Run ended = new Run(run.id(), run.syncId(), "failed", run.createdAt(), run.startedAt(), now, run.querySize(),
                    run.plannedRows(), run.successfulRows(), run.failedRows(), run.completionRatio(), error,
                    QUEUED_RUN_LOST, run.fullResync(), run.trigger());
            try {
                publisher.sendAndWait(Topics.RUN_EVENTS, Long.toString(run.syncId()), RunEvent.newBuilder()
                        .setRunId(Long.toString(run.id())).setSyncId(Long.toString(run.syncId()))
                        .setStatus(RunStatus.failed).setTerminal(true).setProducer(PRODUCER).setAt(now)
                        .setFinishedAt(now).setError(error).setErrorCode(QUEUED_RUN_LOST)
                        .setFullResync(run.fullResync()).setTrigger(run.trigger()).build());
            } catch (RuntimeException e) {
                throw new TriggerNotPublishedException("the lost queued run " + run.id() + " could not be ended: "
                        + e.getMessage(), e);
            }
            runs.update(c, ended);
            LOG.warnf("sync %d: queued run %d ended failed (%s): %s", run.syncId(), run.id(), QUEUED_RUN_LOST, error);
        }
    }
}
