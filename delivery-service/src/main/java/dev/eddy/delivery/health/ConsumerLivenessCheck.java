package dev.eddy.delivery.health;

import dev.eddy.delivery.messaging.ChangeConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive while the change-set consumer has not stopped on a failure it cannot recover from (a dead consumer never reads
 * again: the service must be restarted, which the launcher does on DOWN). The broker being away is readiness's
 * business, not a reason to restart.
 */
@Liveness
@ApplicationScoped
public class ConsumerLivenessCheck implements HealthCheck {

    private final ChangeConsumer consumer;

    public ConsumerLivenessCheck(ChangeConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("kafka-consumer " + ChangeConsumer.GROUP)
                .status(consumer.isAlive());
        consumer.failure().ifPresent(reason -> response.withData("stopped", reason));
        return response.build();
    }
}
