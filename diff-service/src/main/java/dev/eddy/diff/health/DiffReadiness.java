package dev.eddy.diff.health;

import dev.eddy.diff.messaging.DiffConsumers;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.sql.Connection;
import java.sql.SQLException;

/** Ready when both Kafka consumers have joined their groups and the database answers. */
@Readiness
@ApplicationScoped
public class DiffReadiness implements HealthCheck {

    private final DiffConsumers consumers;
    private final AgroalDataSource dataSource;

    public DiffReadiness(DiffConsumers consumers, AgroalDataSource dataSource) {
        this.consumers = consumers;
        this.dataSource = dataSource;
    }

    @Override
    public HealthCheckResponse call() {
        boolean kafka = consumers.healthy();
        boolean database = databaseAnswers();
        return HealthCheckResponse.named("diff")
                .status(kafka && database)
                .withData("consumers", kafka)
                .withData("database", database)
                .build();
    }

    private boolean databaseAnswers() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }
}
