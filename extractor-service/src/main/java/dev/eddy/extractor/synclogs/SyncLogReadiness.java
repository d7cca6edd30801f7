package dev.eddy.extractor.synclogs;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the sync-log consumer has joined its group; the data lists syncs whose latest sync-log
 * write failed, so operators see it at {@code /q/health/ready} (a failed log write never fails the run).
 */
@Readiness
@ApplicationScoped
public class SyncLogReadiness implements HealthCheck {

    private final SyncLogConsumer consumer;

    public SyncLogReadiness(SyncLogConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("warehouse-sync-logs").status(consumer.isHealthy());
        consumer.failures().forEach((syncId, failure) -> builder.withData("sync " + syncId, failure));
        return builder.build();
    }
}
