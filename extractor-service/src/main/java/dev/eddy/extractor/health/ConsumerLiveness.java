package dev.eddy.extractor.health;

import dev.eddy.extractor.messaging.RunRequestConsumer;
import dev.eddy.extractor.synclogs.SyncLogConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive while no consumer stopped on a failure it cannot recover from (a dead consumer never reads again: the
 * service must be restarted, which the launcher does on DOWN). The broker or the warehouse being away is readiness's
 * business, not a reason to restart.
 */
@Liveness
@ApplicationScoped
public class ConsumerLiveness implements HealthCheck {

    private final RunRequestConsumer runRequests;
    private final SyncLogConsumer syncLogs;

    public ConsumerLiveness(RunRequestConsumer runRequests, SyncLogConsumer syncLogs) {
        this.runRequests = runRequests;
        this.syncLogs = syncLogs;
    }

    @Override
    public HealthCheckResponse call() {
        boolean requests = runRequests.isAlive();
        boolean logs = syncLogs.isAlive();
        return HealthCheckResponse.named("extractor consumers")
                .status(requests && logs)
                .withData("run-requests", requests ? "UP" : "DOWN")
                .withData("sync-logs", logs ? "UP" : "DOWN")
                .build();
    }
}
