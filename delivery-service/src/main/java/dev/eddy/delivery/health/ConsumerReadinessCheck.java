package dev.eddy.delivery.health;

import dev.eddy.delivery.messaging.ChangeConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the change-set consumer runs and has joined its group. */
@Readiness
@ApplicationScoped
public class ConsumerReadinessCheck implements HealthCheck {

    private final ChangeConsumer consumer;

    public ConsumerReadinessCheck(ChangeConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("kafka-consumer " + ChangeConsumer.GROUP).status(consumer.isHealthy()).build();
    }
}
