package dev.eddy.diff.health;

import dev.eddy.diff.messaging.DiffConsumers;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive while neither consumer stopped on a failure it cannot recover from (a dead consumer never reads again: the
 * service must be restarted, which the launcher does on DOWN). The database or the broker being away is readiness's
 * business, not a reason to restart.
 */
@Liveness
@ApplicationScoped
public class DiffLiveness implements HealthCheck {

    private final DiffConsumers consumers;

    public DiffLiveness(DiffConsumers consumers) {
        this.consumers = consumers;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("diff consumers").status(consumers.alive()).build();
    }
}
