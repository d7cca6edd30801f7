package dev.eddy.diff.messaging;

import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.diff.config.DiffConfig;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Produces the service's one {@link EventPublisher}. */
public class KafkaClients {

    @Produces
    @Singleton
    EventPublisher publisher(DiffConfig config) {
        return new EventPublisher(KafkaSettings.producer(config.kafka().bootstrapServers(),
                config.kafka().registryUrl(), "eddy-diff", config.kafka().maxRecordBytes()));
    }

    void close(@Disposes EventPublisher publisher) {
        publisher.close();
    }
}
