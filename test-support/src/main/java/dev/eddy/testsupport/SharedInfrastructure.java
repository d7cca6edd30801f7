package dev.eddy.testsupport;

import dev.eddy.contracts.Topics;
import dev.eddy.embedded.DemoWarehouse;
import dev.eddy.embedded.EmbeddedKafkaBroker;
import dev.eddy.embedded.EmbeddedPostgresServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One embedded Kafka broker and one embedded PostgreSQL per test JVM, started on first use and stopped
 * at JVM exit: real infrastructure, shared by every test class of a module so each pays the start once.
 * The database {@code eddy} holds the services' schemas; {@code warehouse} is the demo warehouse.
 */
public final class SharedInfrastructure {

    private static EmbeddedKafkaBroker broker;
    private static EmbeddedPostgresServer postgres;

    private SharedInfrastructure() {
    }

    public static synchronized EmbeddedKafkaBroker broker() {
        if (broker == null) {
            broker = new EmbeddedKafkaBroker(tempDir("eddy-kafka"), 0).start();
            broker.createTopics(Topics.ALL, 4, List.of(Topics.CONFIG));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> broker.close()));
        }
        return broker;
    }

    public static synchronized EmbeddedPostgresServer postgres() {
        if (postgres == null) {
            postgres = EmbeddedPostgresServer.start(null, 0, false);
            postgres.createDatabase("eddy");
            DemoWarehouse.seed(postgres);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> postgres.close()));
        }
        return postgres;
    }

    private static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new IllegalStateException("no temporary directory", e);
        }
    }
}
