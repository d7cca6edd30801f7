package dev.eddy.scheduler.health;

import dev.eddy.scheduler.messaging.SchedulerConsumers;
import dev.eddy.scheduler.store.SyncStateStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when both Kafka consumers have joined their groups and the scheduler's database answers. */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    private final SchedulerConsumers consumers;
    private final SyncStateStore store;

    public ReadinessCheck(SchedulerConsumers consumers, SyncStateStore store) {
        this.consumers = consumers;
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        boolean kafka = consumers.healthy();
        boolean database = store.isReachable(2);
        return HealthCheckResponse.named("scheduler")
                .status(kafka && database)
                .withData("consumers", kafka ? "UP" : "DOWN")
                .withData("database", database ? "UP" : "DOWN")
                .build();
    }
}
