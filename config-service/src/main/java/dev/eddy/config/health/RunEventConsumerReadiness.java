package dev.eddy.config.health;

import dev.eddy.config.messaging.RunEventConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the run-events consumer runs and has joined group {@code eddy-config}. */
@Readiness
@ApplicationScoped
public class RunEventConsumerReadiness implements HealthCheck {

    private final RunEventConsumer consumer;

    public RunEventConsumerReadiness(RunEventConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("run-events consumer").status(consumer.isHealthy()).build();
    }
}
