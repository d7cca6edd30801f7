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

import java.time.Clock;
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
        publisher = new EventPublisher(KafkaSettings.producer(config.kafka().bootstrapServers(),
                config.kafka().registryUrl(), "eddy-scheduler-service"));
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
