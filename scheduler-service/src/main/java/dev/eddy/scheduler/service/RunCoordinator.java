package dev.eddy.scheduler.service;

import dev.eddy.contracts.RunIds;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.avro.TriggerEvent;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.scheduler.messaging.RunPublisher;
import dev.eddy.scheduler.store.SyncStateStore;
import dev.eddy.scheduler.store.SyncStateStore.Outcome;
import dev.eddy.scheduler.store.SyncStateStore.SyncTransaction;
import dev.eddy.scheduler.store.TriggerJson;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import dev.eddy.scheduler.service.RunGate.TriggerVerdict;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps "one run per sync at a time": turns triggers into run requests when the sync is free, queues one
 * follow-up while it is busy, and releases it on the in-flight run's terminal event. A trigger of a disabled
 * sync (and a scheduled trigger of a paused one) is refused, ended {@code cancelled} naming the reason, when it
 * arrives, when its queued run would be released, and when the sync becomes disabled or paused while its run
 * waits in the queue. Every decision is published first and committed to the database after (a crash between
 * the two replays the event, and the recorded run ids make the replay a no-op once committed).
 */
@ApplicationScoped
public class RunCoordinator {

    private static final Logger LOG = Logger.getLogger(RunCoordinator.class);
    /** Trigger sources that are a schedule firing: a paused schedule refuses them. */
    private static final Set<String> SCHEDULED = Set.of("schedule", "dbt_cloud", "fivetran");
    /** Trigger sources config-service publishes after recording their run as queued under the run id they carry. */
    private static final Set<String> CHECKED_BY_CONFIG_SERVICE = Set.of("api", "sequence");

    private final SyncStateStore store;
    private final RunPublisher publisher;
    private final RunGate gate = new RunGate();
    private final Clock clock;

    private final SyncCatalog catalog;
    private final ExternalTriggerRouter router;

    public RunCoordinator(SyncStateStore store, RunPublisher publisher, Clock clock, SyncCatalog catalog) {
        this.store = store;
        this.publisher = publisher;
        this.clock = clock;
        this.catalog = catalog;
        this.router = new ExternalTriggerRouter(catalog, publisher);
    }

    /** Handles one trigger event; idempotent on redelivery. */
    public void onTrigger(TriggerEvent trigger) {
        String syncId = trigger.getSyncId();
        if (syncId == null && trigger.getSequenceId() != null) {
            return; // a whole sequence's trigger: config-service runs sequences, step by step
        }
        if (syncId == null) {
            router.route(trigger);
            return;
        }
        trigger = untrusted(trigger);
        catalog.awaitCurrent();
        SyncCatalog.Entry known = catalog.get(syncId);
        if ((known == null || known.specJson() == null) && trigger.getRunId() == null) {
            LOG.warnf("Trigger %s from %s names sync %s, which has no config record with a spec: ignored",
                    trigger.getTriggerId(), trigger.getSource(), syncId);
            return;
        }
        MDC.put("syncId", syncId);
        try (SyncTransaction tx = store.lock(syncId)) {
            if (trigger.getRunId() != null) {
                Optional<String> owner = tx.syncOfRun(trigger.getRunId()).filter(other -> !other.equals(syncId));
                if (owner.isPresent()) {
                    // a forged id: ending it would end the other sync's run, so nothing is published for it
                    LOG.warnf("Trigger %s from %s refused: its run id %s is a run of sync %s, not of this sync",
                            trigger.getTriggerId(), trigger.getSource(), trigger.getRunId(), owner.get());
                    return;
                }
            }
            RunIdOfTrigger id = runIdOf(trigger, tx);
            String runId = id.runId();
            MDC.put("runId", runId);
            SyncSlot slot = tx.slot();
            TriggerVerdict verdict = gate.onTrigger(slot, runId, id.decided());
            Optional<Refusal> refusal = verdict == TriggerVerdict.DUPLICATE ? Optional.empty() : refusal(trigger);
            if (refusal.isPresent()) {
                refuse(tx, trigger, runId, refusal.get());
                tx.commit();
                return;
            }
            if (trigger.getRunId() == null && (verdict == TriggerVerdict.RELEASE || verdict == TriggerVerdict.QUEUE)) {
                // a run nobody recorded yet (schedule, dbt Cloud, Fivetran, sequence): announce it
                publisher.queued(syncId, runId, trigger.getFullResync(), trigger.getSource(), now());
            }
            switch (verdict) {
                case RELEASE -> release(tx, trigger, runId);
                case QUEUE -> {
                    tx.queue(runId, TriggerJson.write(withRunId(trigger, runId)));
                    LOG.infof("Run queued behind in-flight run %s", slot.inFlightRunId());
                }
                case SUPERSEDE -> {
                    String error = "superseded: run " + slot.queuedRunId() + " is already queued for this sync";
                    Instant now = now();
                    publisher.endedBeforeStart(syncId, runId, RunStatus.cancelled, error, null,
                            trigger.getFullResync(), trigger.getSource(), now);
                    tx.recordDecision(runId, trigger.getTriggerId(), Outcome.SUPERSEDED, now);
                    LOG.infof("Run cancelled: run %s is already queued", slot.queuedRunId());
                }
                case DUPLICATE -> LOG.debugf("Trigger %s replayed; run already handled", trigger.getTriggerId());
                default -> throw new IllegalStateException("unknown verdict");
            }
            tx.commit();
        } finally {
            MDC.remove("runId");
            MDC.remove("syncId");
        }
    }

    /** Handles one run event: a terminal one frees its sync (and releases the queued run); others are ignored. */
    public void onRunEvent(RunEvent event) {
        if (!event.getTerminal()) {
            if (event.getStatus() != RunStatus.queued) {
                store.touch(event.getSyncId(), event.getRunId(), event.getStatus().name(), event.getProducer(), now());
            }
            return;
        }
        Optional<SyncTransaction> locked = store.lockExisting(event.getSyncId());
        if (locked.isEmpty()) {
            return; // a sync the scheduler never released a run of
        }
        MDC.put("syncId", event.getSyncId());
        MDC.put("runId", event.getRunId());
        try (SyncTransaction tx = locked.get()) {
            SyncSlot slot = tx.slot();
            switch (gate.onTerminal(slot, event.getRunId())) {
                case FREE -> {
                    tx.clearInFlight();
                    LOG.infof("Run ended %s; sync is free", event.getStatus());
                }
                case FREE_AND_RELEASE_QUEUED -> {
                    tx.clearInFlight();
                    TriggerEvent queued = TriggerJson.read(slot.queuedTriggerJson());
                    Optional<Refusal> refusal = refusal(queued);
                    MDC.put("runId", slot.queuedRunId());
                    if (refusal.isPresent()) {
                        LOG.infof("Run ended %s; the queued run is not released", event.getStatus());
                        tx.clearQueue();
                        refuse(tx, queued, slot.queuedRunId(), refusal.get());
                    } else {
                        LOG.infof("Run ended %s; releasing queued run %s", event.getStatus(), slot.queuedRunId());
                        release(tx, queued, slot.queuedRunId());
                    }
                }
                case CLEAR_QUEUE -> {
                    tx.clearQueue();
                    LOG.infof("Queued run ended %s before it was released; queue slot emptied", event.getStatus());
                }
                case IGNORE -> LOG.debugf("Terminal event of a run this sync does not wait on");
                default -> throw new IllegalStateException("unknown verdict");
            }
            tx.commit();
        } finally {
            MDC.remove("runId");
            MDC.remove("syncId");
        }
    }

    /**
     * Ends, {@code cancelled}, the run queued for a sync that became disabled (or, for a scheduled run, paused), so
     * it does not wait to be refused when the run in flight ends; nothing when the queued run may still run.
     */
    public void dropQueuedIfRefused(String syncId) {
        Optional<SyncTransaction> locked = store.lockExisting(syncId);
        if (locked.isEmpty()) {
            return; // the scheduler never ran this sync: nothing queued
        }
        MDC.put("syncId", syncId);
        try (SyncTransaction tx = locked.get()) {
            SyncSlot slot = tx.slot();
            if (!slot.hasQueued()) {
                return;
            }
            TriggerEvent queued = TriggerJson.read(slot.queuedTriggerJson());
            Optional<Refusal> refusal = refusal(queued);
            if (refusal.isEmpty()) {
                return;
            }
            MDC.put("runId", slot.queuedRunId());
            tx.clearQueue();
            refuse(tx, queued, slot.queuedRunId(), refusal.get());
            tx.commit();
        } finally {
            MDC.remove("runId");
            MDC.remove("syncId");
        }
    }

    /** Why a trigger must not run, as its run's error, and the error code. */
    private record Refusal(String error, String errorCode) {
    }

    /**
     * Why the trigger must not run, from the sync as the config topic has it (never from the trigger, which anyone
     * who can write the triggers topic can fill): the sync is unknown or disabled, or the trigger is a scheduled one
     * and the schedule is paused.
     */
    private Optional<Refusal> refusal(TriggerEvent trigger) {
        SyncCatalog.Entry sync = catalog.get(trigger.getSyncId());
        if (sync == null || sync.specJson() == null) {
            return Optional.of(new Refusal("cancelled: sync " + trigger.getSyncId()
                    + " has no runnable config in the scheduler (deleted, or its config was not published)", "SYNC_UNKNOWN"));
        }
        if (sync.disabled()) {
            return Optional.of(new Refusal("cancelled: sync " + trigger.getSyncId()
                    + " is disabled; its runs are refused until it is enabled again", "SYNC_DISABLED"));
        }
        if (sync.paused() && SCHEDULED.contains(trigger.getSource())) {
            return Optional.of(new Refusal("cancelled: the schedule of sync " + trigger.getSyncId()
                    + " is paused; scheduled runs are refused until it is resumed (triggers through the API still run)",
                    "SCHEDULE_PAUSED"));
        }
        return Optional.empty();
    }

    /**
     * The trigger as far as it can be trusted: its spec is dropped (the run gets the config topic's), and a run id
     * is kept only from the sources config-service publishes (it recorded that run as queued); the scheduler
     * allocates the others' ids, so a trigger from outside cannot pick one.
     */
    private static TriggerEvent untrusted(TriggerEvent trigger) {
        TriggerEvent.Builder kept = TriggerEvent.newBuilder(trigger).setSpecJson(null);
        if (!CHECKED_BY_CONFIG_SERVICE.contains(trigger.getSource())) {
            kept.setRunId(null);
        }
        return kept.build();
    }

    /** Ends the trigger's run {@code cancelled} before it ever ran, and records the decision. */
    private void refuse(SyncTransaction tx, TriggerEvent trigger, String runId, Refusal refusal) {
        Instant now = now();
        publisher.endedBeforeStart(tx.slot().syncId(), runId, RunStatus.cancelled, refusal.error(), refusal.errorCode(),
                trigger.getFullResync(), trigger.getSource(), now);
        tx.recordDecision(runId, trigger.getTriggerId(), Outcome.REFUSED, now);
        LOG.infof("Run refused (trigger %s, source %s): %s", trigger.getTriggerId(), trigger.getSource(), refusal.error());
    }

    /**
     * Ends, {@code interrupted}, every in-flight run of an owned sync with no run event for {@code timeout}
     * (its worker crashed or was restarted and lost it): never left {@code querying} forever. The terminal event
     * comes back through the run-event consumer, which frees the sync and releases any queued run.
     */
    public int interruptStalled(Duration timeout, java.util.function.Predicate<String> owns) {
        return endQuiet(timeout, owns, (stalled, now) -> {
            publisher.interrupted(stalled.syncId(), stalled.runId(), "interrupted: no progress reported for "
                    + timeout + " (last at " + stalled.lastSign() + "); the run was ended so the sync can run again", now);
            LOG.warnf("Run ended interrupted: no run event since %s", stalled.lastSign());
        });
    }

    /**
     * Ends, {@code failed}, every in-flight run of an owned sync that made no progress (no run event since its
     * release or its latest one) for {@code deadline}, naming the stage it was in and what was last heard. Its
     * terminal event comes back through the run-event consumer, which frees the sync and releases any queued run;
     * a terminal event of the run arriving later (its worker finishing after all) is ignored there, the sync no
     * longer waiting on it.
     */
    public int failWithoutProgress(Duration deadline, java.util.function.Predicate<String> owns) {
        return endQuiet(deadline, owns, (stalled, now) -> {
            String error = progressDeadlineMessage(stalled, deadline, now);
            publisher.progressDeadlineMissed(stalled.syncId(), stalled.runId(), error, now);
            LOG.warnf("Run ended failed: %s", error);
        });
    }

    /** "no progress for 600 s in stage processing; last event from delivery-service at ..." */
    static String progressDeadlineMessage(SyncStateStore.StalledRun stalled, Duration deadline, Instant now) {
        String stage = stalled.lastStatus() == null ? RunStatus.querying.name() : stalled.lastStatus();
        String heard = stalled.lastProducer() == null
                ? "last event: its release by " + RunPublisher.PRODUCER + " at " + stalled.lastSign()
                : "last event from " + stalled.lastProducer() + " at " + stalled.lastSign();
        return "no progress for " + Duration.between(stalled.lastSign(), now).toSeconds() + " s in stage " + stage + "; "
                + heard + " (the run's progress deadline is " + deadline.toSeconds()
                + " s); the run was ended so the sync can run again";
    }

    /** Ends how {@code end} says every owned in-flight run quiet for {@code quiet}, each once across instances. */
    private int endQuiet(Duration quiet, java.util.function.Predicate<String> owns,
                         java.util.function.BiConsumer<SyncStateStore.StalledRun, Instant> end) {
        Instant now = now();
        Instant before = now.minus(quiet);
        int ended = 0;
        for (SyncStateStore.StalledRun stalled : store.stalledSince(before)) {
            if (!owns.test(stalled.syncId())) {
                continue;
            }
            MDC.put("syncId", stalled.syncId());
            MDC.put("runId", stalled.runId());
            try (SyncTransaction tx = store.lock(stalled.syncId())) {
                // re-checked under the row lock: the run ended, or reported, or another instance ended it meanwhile
                if (!stalled.runId().equals(tx.slot().inFlightRunId())
                        || tx.lastSign().map(at -> !at.isBefore(before)).orElse(true)) {
                    continue;
                }
                end.accept(stalled, now);
                tx.touchInFlight(now);
                tx.commit();
                ended++;
            } finally {
                MDC.remove("runId");
                MDC.remove("syncId");
            }
        }
        return ended;
    }

    private void release(SyncTransaction tx, TriggerEvent trigger, String runId) {
        Instant now = now();
        String syncId = tx.slot().syncId();
        SyncCatalog.Entry known = catalog.get(syncId);
        String specJson = known == null ? null : known.specJson();
        SyncSpec spec;
        try {
            if (specJson == null) {
                throw new IllegalArgumentException("the sync has no spec on the config topic");
            }
            spec = SyncSpec.fromJson(specJson);
        } catch (IllegalArgumentException e) {
            // a spec that cannot be read can never run: end the run instead of retrying it forever
            publisher.endedBeforeStart(syncId, runId, RunStatus.failed,
                    "the sync spec cannot be read: " + e.getMessage(), "INVALID_SYNC_SPEC",
                    trigger.getFullResync(), trigger.getSource(), now);
            tx.recordDecision(runId, trigger.getTriggerId(), Outcome.FAILED, now);
            LOG.warnf("Run failed before it started: the sync spec cannot be read");
            return;
        }
        publisher.released(syncId, runId, trigger.getFullResync(), trigger.getSource(), now);
        publisher.runRequest(RunRequest.newBuilder()
                .setRunId(runId)
                .setSyncId(syncId)
                .setConfigVersion(spec.configVersion())
                .setFullResync(trigger.getFullResync())
                .setResetCDC(trigger.getResetCDC())
                .setTrigger(trigger.getSource())
                .setRequestedAt(now)
                .setSpecJson(specJson)
                .build());
        tx.markInFlight(runId, now);
        tx.recordDecision(runId, trigger.getTriggerId(), Outcome.RELEASED, now);
        LOG.infof("Run released (trigger %s, source %s)", trigger.getTriggerId(), trigger.getSource());
    }

    /** A trigger's run id, and whether that run was released or superseded before. */
    private record RunIdOfTrigger(String runId, boolean decided) {
    }

    /**
     * The trigger's run id: the one it names, the one an earlier delivery of it was given, or a new one.
     * Reusing the id of an earlier delivery keeps replays of triggers without a run id idempotent. Only a
     * run id the trigger names needs a look-up to tell whether it was decided: an earlier delivery's id was
     * found among the decided runs, a queued one is not decided yet, and a new one cannot be (one query
     * fewer on the path every scheduled run takes).
     */
    private static RunIdOfTrigger runIdOf(TriggerEvent trigger, SyncTransaction tx) {
        if (trigger.getRunId() != null) {
            return new RunIdOfTrigger(trigger.getRunId(), tx.isDecided(trigger.getRunId()));
        }
        SyncSlot slot = tx.slot();
        if (slot.queuedTriggerJson() != null
                && trigger.getTriggerId().equals(TriggerJson.read(slot.queuedTriggerJson()).getTriggerId())) {
            return new RunIdOfTrigger(slot.queuedRunId(), false);
        }
        return tx.runIdOfTrigger(trigger.getTriggerId())
                .map(earlier -> new RunIdOfTrigger(earlier, true))
                .orElseGet(() -> new RunIdOfTrigger(RunIds.next(), false));
    }

    private static TriggerEvent withRunId(TriggerEvent trigger, String runId) {
        return TriggerEvent.newBuilder(trigger).setRunId(runId).build();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
