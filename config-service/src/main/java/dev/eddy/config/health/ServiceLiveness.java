package dev.eddy.config.health;

import dev.eddy.config.messaging.RunEventConsumer;
import dev.eddy.config.messaging.SequenceTriggerConsumer;
import dev.eddy.config.rejections.RejectionConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive while the process answers and none of its consumers stopped on a failure it cannot recover from (a dead
 * consumer never reads again: the service must be restarted, which the launcher does on DOWN). Dependencies (the
 * database, the broker) are readiness concerns, not a reason to restart.
 */
@Liveness
@ApplicationScoped
public class ServiceLiveness implements HealthCheck {

    private final RunEventConsumer runEvents;
    private final RejectionConsumer rejections;
    private final SequenceTriggerConsumer sequenceTriggers;

    public ServiceLiveness(RunEventConsumer runEvents, RejectionConsumer rejections,
                           SequenceTriggerConsumer sequenceTriggers) {
        this.runEvents = runEvents;
        this.rejections = rejections;
        this.sequenceTriggers = sequenceTriggers;
    }

    @Override
    public HealthCheckResponse call() {
        boolean events = runEvents.isAlive();
        boolean rejected = rejections.isAlive();
        boolean sequences = sequenceTriggers.isAlive();
        return HealthCheckResponse.named("config-service")
                .status(events && rejected && sequences)
                .withData("run-events consumer", events ? "UP" : "DOWN")
                .withData("rejections consumer", rejected ? "UP" : "DOWN")
                .withData("sequence-triggers consumer", sequences ? "UP" : "DOWN")
                .build();
    }
}
