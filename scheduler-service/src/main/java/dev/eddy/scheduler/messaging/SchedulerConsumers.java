package dev.eddy.scheduler.messaging;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.TriggerEvent;
import dev.eddy.contracts.kafka.ConsumerLoop;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.scheduler.config.SchedulerConfig;
import dev.eddy.scheduler.service.RunCoordinator;
import dev.eddy.scheduler.service.ScheduleTicker;
import dev.eddy.scheduler.service.SyncCatalog;
import dev.eddy.scheduler.store.ScheduleFireStore;
import dev.eddy.scheduler.store.SyncStateStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * The scheduler's consumers (the config topic for schedules, see {@link ConfigTopicReader}, then): triggers (group {@code eddy-scheduler}) and run events (group
 * {@code eddy-scheduler-runs}). Started once the schema exists; stopped on shutdown before the publisher closes.
 */
@ApplicationScoped
public class SchedulerConsumers {

    private static final Logger LOG = Logger.getLogger(SchedulerConsumers.class);

    private final SchedulerConfig config;
    private final KafkaClients clients;
    private final EventPublisher deadLetters;
    private final RunCoordinator coordinator;
    private final SyncStateStore store;
    private final List<ConsumerLoop<TriggerEvent>> triggers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile ConsumerLoop<RunEvent> runEvents;
    private final SyncCatalog catalog;
    private final ScheduleFireStore fireStore;
    private final ScheduleTicker ticker;
    private volatile ConfigTopicReader configReader;

    public SchedulerConsumers(SchedulerConfig config, KafkaClients clients, EventPublisher deadLetters,
                              RunCoordinator coordinator, SyncStateStore store, SyncCatalog catalog,
                              ScheduleFireStore fireStore, ScheduleTicker ticker) {
        this.config = config;
        this.clients = clients;
        this.deadLetters = deadLetters;
        this.coordinator = coordinator;
        this.store = store;
        this.catalog = catalog;
        this.fireStore = fireStore;
        this.ticker = ticker;
    }

    void start(@Observes StartupEvent event) {
        store.createSchema();
        fireStore.createSchema();
        SchedulerConfig.Kafka kafka = config.kafka();
        configReader = new ConfigTopicReader(catalog, clients.consumerSettings(kafka.triggersGroup()),
                config.schedules().ownershipGroup()).start();
        // triggers are routed and filled from the catalog: read the config topic to its end first
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!configReader.caughtUp() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
        }
        if (!configReader.caughtUp()) {
            throw new IllegalStateException("the config topic " + Topics.CONFIG + " could not be read within 60 s");
        }
        ticker.start(configReader::owns);
        for (int i = 1; i <= Math.max(1, kafka.triggerConsumers()); i++) {
            triggers.add(new ConsumerLoop<TriggerEvent>("scheduler-triggers-" + i, clients.consumerSettings(kafka.triggersGroup()),
                    List.of(Topics.TRIGGERS), record -> coordinator.onTrigger(record.value()), deadLetters).start());
        }
        runEvents = new ConsumerLoop<RunEvent>("scheduler-run-events", clients.consumerSettings(kafka.runEventsGroup()),
                List.of(Topics.RUN_EVENTS), record -> coordinator.onRunEvent(record.value()), deadLetters).start();
        LOG.infof("Consuming %s and %s from %s", Topics.TRIGGERS, Topics.RUN_EVENTS, kafka.bootstrapServers());
    }

    void stop(@Observes ShutdownEvent event) {
        ticker.stop();
        if (configReader != null) {
            configReader.close();
        }
        triggers.forEach(ConsumerLoop::close);
        if (runEvents != null) {
            runEvents.close();
        }
    }

    /** False once a consumer stopped on a failure it cannot recover from (true before they start). */
    public boolean alive() {
        ConsumerLoop<RunEvent> r = runEvents;
        ConfigTopicReader c = configReader;
        return triggers.stream().allMatch(ConsumerLoop::isAlive) && (r == null || r.isAlive()) && (c == null || c.alive());
    }

    /** True when every consumer runs and has joined its group (a trigger consumer left without partitions included). */
    public boolean healthy() {
        ConsumerLoop<RunEvent> r = runEvents;
        ConfigTopicReader c = configReader;
        return !triggers.isEmpty() && triggers.stream().allMatch(ConsumerLoop::isHealthy)
                && r != null && c != null && r.isHealthy() && c.healthy() && ticker.healthy();
    }
}
