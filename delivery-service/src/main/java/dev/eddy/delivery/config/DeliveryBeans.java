package dev.eddy.delivery.config;

import dev.eddy.contracts.egress.EgressPolicy;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.contracts.kafka.RecordLimits;
import dev.eddy.contracts.secrets.InternalCredential;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.delivery.retry.RetryPolicy;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** Produces the service's shared infrastructure objects from its configuration. */
public class DeliveryBeans {

    @Produces
    @Singleton
    EventPublisher eventPublisher(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                                  @ConfigProperty(name = "apicurio.registry.url") Optional<String> registryUrl,
                                  DeliveryConfig config) {
        return new EventPublisher(KafkaSettings.producer(bootstrapServers, registryUrl, "eddy-delivery",
                RecordLimits.checked(config.kafka().maxRecordBytes())));
    }

    void closeEventPublisher(@Disposes EventPublisher publisher) {
        publisher.close();
    }

    @Produces
    @Singleton
    SecretBox secretBox(DeliveryConfig config) {
        return new SecretBox(config.secretKey());
    }

    @Produces
    @Singleton
    InternalCredential internalCredential(DeliveryConfig config) {
        return new InternalCredential(config.secretKey());
    }

    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    RetryPolicy retryPolicy(DeliveryConfig config, Clock clock) {
        DeliveryConfig.Retry retry = config.delivery().retry();
        return new RetryPolicy(
                new RetryPolicy.Settings(retry.maxAttempts(), retry.deadline(), retry.initialBackoff(), retry.maxBackoff()),
                clock, duration -> Thread.sleep(duration.toMillis()), () -> ThreadLocalRandom.current().nextDouble());
    }

    @Produces
    @Singleton
    EgressPolicy egressPolicy(DeliveryConfig config) {
        return EgressPolicy.of(config.egress());
    }

    @Produces
    @Singleton
    HttpClient httpClient(DeliveryConfig config) {
        return HttpClient.newBuilder()
                .connectTimeout(config.delivery().webhook().connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }
}
