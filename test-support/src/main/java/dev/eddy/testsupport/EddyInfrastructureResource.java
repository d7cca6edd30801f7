package dev.eddy.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * Quarkus test resource: a real Kafka broker and a real PostgreSQL (no Docker, no Dev Services). It
 * hands the service {@code kafka.bootstrap.servers}, its datasource on database {@code eddy}, the demo
 * warehouse's JDBC coordinates ({@code eddy.test.warehouse.*}) and a secret key.
 */
public class EddyInfrastructureResource implements QuarkusTestResourceLifecycleManager {

    /** The suite key used by tests; services seal and open secrets with it. */
    public static final String SECRET_KEY = "test-secret-key";

    @Override
    public Map<String, String> start() {
        var broker = SharedInfrastructure.broker();
        var postgres = SharedInfrastructure.postgres();
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", broker.bootstrapServers());
        config.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl("eddy"));
        config.put("quarkus.datasource.username", "postgres");
        config.put("quarkus.datasource.password", "");
        config.put("eddy.secret-key", SECRET_KEY);
        config.put("eddy.test.warehouse.host", "127.0.0.1");
        config.put("eddy.test.warehouse.port", String.valueOf(postgres.port()));
        config.put("eddy.test.warehouse.database", "warehouse");
        config.put("eddy.test.warehouse.jdbc-url", postgres.jdbcUrl("warehouse"));
        config.put("quarkus.devservices.enabled", "false");
        return config;
    }

    @Override
    public void stop() {
        // shared per JVM; stopped by a shutdown hook
    }
}
