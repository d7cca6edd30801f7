package dev.eddy.scheduler.health;

import dev.eddy.scheduler.messaging.SchedulerConsumers;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive while no consumer stopped on a failure it cannot recover from (a dead consumer never reads again: the
 * service must be restarted, which the launcher does on DOWN). The database or the broker being away is readiness's
 * business, not a reason to restart.
 */
@Liveness
@ApplicationScoped
public class LivenessCheck implements HealthCheck {

    private final SchedulerConsumers consumers;

    public LivenessCheck(SchedulerConsumers consumers) {
        this.consumers = consumers;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("scheduler consumers").status(consumers.alive()).build();
    }
}
