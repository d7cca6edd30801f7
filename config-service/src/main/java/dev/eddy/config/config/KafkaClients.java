package dev.eddy.config.config;

import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.contracts.secrets.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;
import java.util.Optional;

/** Produces the service's Kafka client settings, its one {@link EventPublisher} and its {@link SecretBox}. */
@ApplicationScoped
public class KafkaClients {

    /** The consumer group of config-service. */
    public static final String GROUP = "eddy-config";

    private final String bootstrapServers;
    private final Optional<String> registryUrl;

    public KafkaClients(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                        @ConfigProperty(name = "apicurio.registry.url") Optional<String> registryUrl) {
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
    }

    public Map<String, Object> consumerSettings() {
        return KafkaSettings.consumer(bootstrapServers, registryUrl, GROUP);
    }

    /** Admin client settings: the broker, and short timeouts (the admin is used at start and for health checks). */
    public Map<String, Object> adminSettings() {
        return KafkaSettings.admin(bootstrapServers, "eddy-config-admin");
    }

    @Produces
    @Singleton
    EventPublisher publisher() {
        return new EventPublisher(KafkaSettings.producer(bootstrapServers, registryUrl, "eddy-config"));
    }

    void closePublisher(@Disposes EventPublisher publisher) {
        publisher.close();
    }

    @Produces
    @Singleton
    SecretBox secretBox(EddyConfig config) {
        return new SecretBox(config.secretKey());
    }
}
