package dev.eddy.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL server (zonky's embedded binaries), for the local launcher and tests. With a data
 * directory that is kept, databases survive restarts. Loopback only. Started with {@link #start}, superuser
 * {@code postgres} logs in without a password (tests); started with {@link #startSecured}, every login over TCP
 * needs a password (scram-sha-256), the superuser's included ({@code ./eddy local}).
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    /** The superuser. */
    public static final String SUPERUSER = "postgres";
    /** Every TCP login needs a password; initdb's {@code trust} would make any password meaningless. */
    private static final String PASSWORD_HBA = """
            # written by Eddy at each start: every login needs a password
            local all all scram-sha-256
            host all all 127.0.0.1/32 scram-sha-256
            host all all ::1/128 scram-sha-256
            """;
    /** The first moments of a start: the superuser may log in once without its password, to set it. */
    private static final String BOOTSTRAP_HBA = """
            # written by Eddy at each start, replaced once the superuser's password is set
            host all postgres 127.0.0.1/32 trust
            """ + PASSWORD_HBA;

    private final EmbeddedPostgres postgres;
    private final String password;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, String password) {
        this.postgres = postgres;
        this.password = password;
    }

    /**
     * @param dataDir where the cluster lives, or null for a throw-away one
     * @param port    the port, or 0 for a free one (never 5432, where Debian's own server may run)
     * @param durable false turns fsync off (tests)
     */
    public static EmbeddedPostgresServer start(Path dataDir, int port, boolean durable) {
        return start(dataDir, port, durable, null);
    }

    /**
     * A server where every login needs a password: the superuser's is set to {@code superuserPassword} at each start
     * (during the first milliseconds of a start, before anything else runs, it may log in from loopback without one).
     */
    public static EmbeddedPostgresServer startSecured(Path dataDir, int port, boolean durable, String superuserPassword) {
        if (superuserPassword == null || !superuserPassword.matches("[A-Za-z0-9_]{16,}")) {
            throw new IllegalArgumentException("the superuser's password must be 16 or more letters, digits or '_'");
        }
        EmbeddedPostgresServer server = start(dataDir, port, durable, superuserPassword);
        try (Connection c = DriverManager.getConnection(server.jdbcUrl("postgres"), SUPERUSER, superuserPassword);
             Statement s = c.createStatement()) {
            s.execute("ALTER ROLE postgres PASSWORD '" + superuserPassword + "'");
            Path hba = Path.of(dataDirectory(c));
            Files.writeString(hba.resolve("pg_hba.conf"), PASSWORD_HBA);
            s.execute("SELECT pg_reload_conf()");
        } catch (SQLException | IOException e) {
            server.close();
            throw new IllegalStateException("the embedded PostgreSQL cannot be secured: " + e.getMessage(), e);
        }
        return server;
    }

    private static String dataDirectory(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW data_directory")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static EmbeddedPostgresServer start(Path dataDir, int port, boolean durable, String password) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setPort(port == 0 ? EmbeddedKafkaBroker.freePort() : port)
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("shared_buffers", "128MB")
                    .setServerConfig("listen_addresses", "127.0.0.1");
            if (!durable) {
                builder.setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off");
            }
            if (dataDir != null) {
                Files.createDirectories(dataDir);
                builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
            }
            if (password != null) {
                builder.setDataDirectoryCustomizer(dir -> {
                    try {
                        Files.writeString(dir.toPath().resolve("pg_hba.conf"), BOOTSTRAP_HBA);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot write pg_hba.conf", e);
                    }
                });
            }
            return new EmbeddedPostgresServer(builder.start(), password);
        } catch (IOException e) {
            throw new IllegalStateException("the embedded PostgreSQL did not start: " + e.getMessage(), e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    /** A JDBC URL for the database (no user or password in it). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /** The superuser's password, or empty text when it needs none ({@link #start}). */
    public String superuserPassword() {
        return password == null ? "" : password;
    }

    /** A connection to the database as the superuser. */
    public Connection connectAsSuperuser(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), SUPERUSER, superuserPassword());
    }

    /** Creates the database unless it exists. */
    public void createDatabase(String database) {
        try (Connection c = connectAsSuperuser("postgres");
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database.replace("'", "''") + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("database " + database + " cannot be created: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new IllegalStateException("the embedded PostgreSQL did not stop cleanly", e);
        }
    }
}
