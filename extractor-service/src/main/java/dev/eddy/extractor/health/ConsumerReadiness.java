package dev.eddy.extractor.health;

import dev.eddy.extractor.messaging.RunRequestConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the run-request consumer runs and has joined its group. */
@Readiness
@ApplicationScoped
public class ConsumerReadiness implements HealthCheck {

    private final RunRequestConsumer consumer;

    public ConsumerReadiness(RunRequestConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("kafka-consumer-run-requests").status(consumer.isHealthy()).build();
    }
}
