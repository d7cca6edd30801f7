package dev.eddy.scheduler.service;

import dev.eddy.contracts.avro.TriggerEvent;
import dev.eddy.scheduler.config.SchedulerConfig;
import dev.eddy.scheduler.messaging.RunPublisher;
import dev.eddy.contracts.schedule.FirePlan;
import dev.eddy.scheduler.store.ScheduleFireStore;
import dev.eddy.scheduler.store.ScheduleFireStore.Claim;
import dev.eddy.scheduler.store.ScheduleFireStore.Due;
import dev.eddy.scheduler.store.ScheduleFireStore.FireState;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * Fires time-based schedules: on each tick, every owned, schedulable sync whose latest slot is after its last
 * fired slot gets a {@code schedule} trigger (trigger id {@code schedule:<syncId>:<slot millis>}) on the
 * triggers topic, so it passes the same one-run-per-sync gate as API triggers. All due slots of a tick are
 * claimed in one transaction, their triggers sent together and acked, then the claim commits. Also ends
 * in-flight runs past their progress deadline and stalled runs, and drops the queued run of a sync that became disabled or paused (see
 * {@link RunCoordinator#dropQueuedIfRefused(String)}). Time comes from the injected {@link Clock}.
 */
@ApplicationScoped
public class ScheduleTicker {

    private static final Logger LOG = Logger.getLogger(ScheduleTicker.class);

    private final SyncCatalog catalog;
    private final ScheduleFireStore store;
    private final RunPublisher publisher;
    private final RunCoordinator coordinator;
    private final Clock clock;
    private final SchedulerConfig.Schedules settings;
    private final Duration progressDeadline;
    private final Map<String, FireState> states = new ConcurrentHashMap<>();
    // syncs whose schedule failed to evaluate, with the fingerprint that failed (logged once per change)
    private final Map<String, String> failing = new ConcurrentHashMap<>();
    private volatile Predicate<String> owns = id -> false;
    private volatile boolean running;
    private Thread thread;
    private Instant lastStallCheck = Instant.EPOCH;

    public ScheduleTicker(SyncCatalog catalog, ScheduleFireStore store, RunPublisher publisher,
                          RunCoordinator coordinator, Clock clock, SchedulerConfig config) {
        this.catalog = catalog;
        this.store = store;
        this.publisher = publisher;
        this.coordinator = coordinator;
        this.clock = clock;
        this.settings = config.schedules();
        this.progressDeadline = config.run().progressDeadline();
    }

    /** Starts ticking for the syncs {@code owns} accepts. */
    public void start(Predicate<String> owns) {
        this.owns = owns;
        running = true;
        thread = new Thread(this::loop, "schedule-ticker");
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public boolean healthy() {
        return running && thread != null && thread.isAlive();
    }

    private void loop() {
        while (running) {
            Duration wait = settings.tick();
            dropQueuedRunsOfHeldSyncs();
            try {
                Instant now = clock.instant();
                wait = tick(now);
                if (Duration.between(lastStallCheck, now).compareTo(settings.stalledRunCheck()) >= 0) {
                    lastStallCheck = now;
                    coordinator.failWithoutProgress(progressDeadline, owns);
                    coordinator.interruptStalled(settings.stalledRunTimeout(), owns);
                }
            } catch (RuntimeException e) {
                // a database or broker hiccup: the unclaimed slots stay due and are fired on a later tick
                LOG.warnf("Schedule tick failed, retrying: %s", e.toString());
            }
            try {
                Thread.sleep(Math.max(5, wait.toMillis()));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Looks at the queued run of each sync that became disabled or paused; one that fails is looked at again later. */
    private void dropQueuedRunsOfHeldSyncs() {
        for (String syncId : catalog.takeHeld()) {
            try {
                coordinator.dropQueuedIfRefused(syncId);
            } catch (RuntimeException e) {
                catalog.hold(syncId);
                LOG.warnf("Queued run of sync %s not looked at, retrying: %s", syncId, e.toString());
            }
        }
    }

    /** Fires what is due at {@code now}; answers how long to wait before the next look. */
    Duration tick(Instant now) {
        List<Due> dues = new ArrayList<>();
        Instant next = now.plus(settings.tick());
        for (SyncCatalog.Entry sync : catalog.all()) {
            if (!sync.schedulable() || !owns.test(sync.syncId())) {
                continue;
            }
            FireState state = states.get(sync.syncId());
            if (state == null || !state.fingerprint().equals(sync.fingerprint())) {
                state = store.loadOrStart(sync.syncId(), sync.fingerprint(), now.truncatedTo(ChronoUnit.MILLIS));
                states.put(sync.syncId(), state);
            }
            Optional<Instant> due;
            Optional<Instant> upcoming;
            try {
                due = FirePlan.due(sync.schedule(), state.lastSlot(), now);
                upcoming = FirePlan.nextCheck(sync.schedule(), now);
            } catch (RuntimeException e) {
                // one schedule the evaluation cannot handle (an overflowing interval stored before the API checked
                // bounds) must not stop every other schedule: skip it, and say so once per change of it
                if (!sync.fingerprint().equals(failing.put(sync.syncId(), sync.fingerprint()))) {
                    LOG.errorf("Schedule of sync %s cannot be evaluated (%s); it does not fire until it is changed",
                            sync.syncId(), e.toString());
                }
                continue;
            }
            failing.remove(sync.syncId());
            due.ifPresent(slot -> dues.add(new Due(sync.syncId(), sync.fingerprint(), slot)));
            if (upcoming.isPresent() && upcoming.get().isBefore(next)) {
                next = upcoming.get();
            }
        }
        if (!dues.isEmpty()) {
            fire(dues);
        }
        return Duration.between(clock.instant(), next);
    }

    private void fire(List<Due> dues) {
        try (Claim claim = store.claim(dues)) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (Due due : dues) {
                if (!claim.claimed().contains(due.syncId())) {
                    continue;
                }
                SyncCatalog.Entry sync = catalog.get(due.syncId());
                if (sync != null && sync.isSequence()) {
                    // config-service runs the sequence's steps; the key keeps its triggers on one partition
                    acks.add(publisher.trigger(TriggerEvent.newBuilder()
                            .setTriggerId("schedule:" + due.syncId() + ":" + due.slot().toEpochMilli())
                            .setSource("schedule")
                            .setSequenceId(sync.sequenceId())
                            .setRequestedAt(due.slot())
                            .build(), due.syncId()));
                    continue;
                }
                acks.add(publisher.trigger(TriggerEvent.newBuilder()
                        .setTriggerId("schedule:" + due.syncId() + ":" + due.slot().toEpochMilli())
                        .setSource("schedule")
                        .setSyncId(due.syncId())
                        .setRequestedAt(due.slot())
                        .build(), due.syncId()));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
            claim.commit();
            for (Due due : dues) {
                if (claim.claimed().contains(due.syncId())) {
                    states.put(due.syncId(), new FireState(due.fingerprint(), due.slot()));
                } else {
                    // another instance fired it (ownership moved) or the schedule changed: re-read
                    states.remove(due.syncId());
                }
            }
            LOG.debugf("Fired %d scheduled run(s)", claim.claimed().size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("scheduled triggers were not acknowledged: " + e.getCause(), e);
        }
    }
}
