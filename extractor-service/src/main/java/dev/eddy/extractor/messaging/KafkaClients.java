package dev.eddy.extractor.messaging;

import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.extractor.config.ExtractorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;
import java.util.Optional;

/** Kafka client settings of the service and its one {@link EventPublisher}. */
@ApplicationScoped
public class KafkaClients {

    /** The extractor's consumer group. */
    public static final String GROUP = "eddy-extractor";

    private final String bootstrapServers;
    private final Optional<String> registryUrl;
    private final ExtractorConfig config;

    public KafkaClients(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                        @ConfigProperty(name = "apicurio.registry.url") Optional<String> registryUrl,
                        ExtractorConfig config) {
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
        this.config = config;
    }

    /**
     * Consumer settings for run requests: one record per poll, and a poll interval as long as the longest
     * run, because handling one request streams a whole model.
     */
    public Map<String, Object> runRequestConsumer() {
        Map<String, Object> props = KafkaSettings.consumer(bootstrapServers, registryUrl, GROUP);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) config.extractor().maxRunDuration().toMillis());
        return props;
    }

    @Produces
    @Singleton
    EventPublisher publisher() {
        return new EventPublisher(KafkaSettings.producer(bootstrapServers, registryUrl, "eddy-extractor",
                config.kafka().maxRecordBytes()));
    }

    void close(@Disposes EventPublisher publisher) {
        publisher.close();
    }
}
