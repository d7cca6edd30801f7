package dev.eddy.config.service;

import dev.eddy.config.domain.Run;
import dev.eddy.config.domain.Sync;
import dev.eddy.config.store.CatalogStore;
import dev.eddy.config.store.Database;
import dev.eddy.config.store.RunStore;
import dev.eddy.contracts.RunIds;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.TriggerEvent;
import dev.eddy.contracts.kafka.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

/**
 * Triggers syncs through the API (PROTOCOL.md step 1): answers the run already queued for the sync, or
 * records a new {@code queued} run and publishes its {@link TriggerEvent}, committing the run only after
 * the broker acknowledged the event.
 */
@ApplicationScoped
public class SyncTriggers {

    private static final Logger LOG = Logger.getLogger(SyncTriggers.class);

    private final Database db;
    private final CatalogStore catalog;
    private final RunStore runs;
    private final EventPublisher publisher;

    public SyncTriggers(Database db, CatalogStore catalog, RunStore runs, EventPublisher publisher) {
        this.db = db;
        this.catalog = catalog;
        this.runs = runs;
        this.publisher = publisher;
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
        if (queued.isPresent()) {
            return Long.toString(queued.get().id());
        }
        String runId = RunIds.next();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
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
}
