package dev.eddy.scheduler.messaging;

import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.scheduler.config.SchedulerConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** Produces the service's one {@link EventPublisher} and its clock. */
@ApplicationScoped
public class KafkaClients {

    /** Observers of {@link ShutdownEvent} with a lower priority (consumers) stop before the publisher closes. */
    static final int PUBLISHER_CLOSE_PRIORITY = 10_000;

    private final SchedulerConfig config;
    private EventPublisher publisher;

    public KafkaClients(SchedulerConfig config) {
        this.config = config;
    }

    @Produces
    @Singleton
    EventPublisher publisher() {
        Map<String, Object> settings = new HashMap<>(KafkaSettings.producer(config.kafka().bootstrapServers(),
                config.kafka().registryUrl(), "eddy-scheduler-service"));
        // the run gate waits for each ack before the next step (queued event, run request, commit): lingering only
        // delays it, and the ticker's burst of triggers is still batched while earlier requests are in flight
        settings.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        publisher = new EventPublisher(settings);
        return publisher;
    }

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Consumer settings for {@code groupId}. */
    public Map<String, Object> consumerSettings(String groupId) {
        return KafkaSettings.consumer(config.kafka().bootstrapServers(), config.kafka().registryUrl(), groupId);
    }

    void close(@Observes @Priority(PUBLISHER_CLOSE_PRIORITY) ShutdownEvent event) {
        if (publisher != null) {
            publisher.close();
        }
    }
}
