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
    private static EmbeddedMariaDb mariaDb;
    /** Set while this JVM runs the shared MariaDB: Quarkus tests may load this class in more than one class loader. */
    private static final String MARIADB_PORT_PROPERTY = "eddy.test.mariadb.port";

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

    /**
     * One MariaDB server (MySQL protocol) per test JVM with the database {@code warehouse}, started on first use
     * only (it takes 10-15 s), so modules and tests that do not read MySQL never pay for it. Logins in
     * {@link EmbeddedMariaDb}.
     */
    public static synchronized EmbeddedMariaDb mariaDb() {
        if (mariaDb == null) {
            String running = System.getProperty(MARIADB_PORT_PROPERTY);
            if (running != null) {
                mariaDb = EmbeddedMariaDb.attach(Integer.parseInt(running));
            } else {
                EmbeddedMariaDb started = EmbeddedMariaDb.start(Path.of(System.getProperty("eddy.test.mariadb.dir", "target")));
                started.createDatabase("warehouse");
                System.setProperty(MARIADB_PORT_PROPERTY, Integer.toString(started.port()));
                Runtime.getRuntime().addShutdownHook(new Thread(started::close));
                mariaDb = started;
            }
        }
        return mariaDb;
    }

    private static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new IllegalStateException("no temporary directory", e);
        }
    }
}
