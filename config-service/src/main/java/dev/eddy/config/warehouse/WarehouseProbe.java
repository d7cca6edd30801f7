package dev.eddy.config.warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mysql.cj.jdbc.NonRegisteringDriver;
import dev.eddy.config.domain.Source;
import dev.eddy.contracts.egress.EgressDeniedException;
import dev.eddy.contracts.egress.EgressPolicy;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.source.DuckDbLocks;
import dev.eddy.contracts.source.DuckDbSourcePath;
import dev.eddy.contracts.source.InvalidSourceAddressException;
import dev.eddy.contracts.source.MySqlConnection;
import dev.eddy.contracts.source.PostgresConnection;
import dev.eddy.contracts.source.SourceAddress;
import jakarta.enterprise.context.ApplicationScoped;
import org.duckdb.DuckDBDriver;
import org.postgresql.Driver;
import org.postgresql.core.Parser;

import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Opens short, read-only connections to a source for the API's connection test and model preview; the
 * only place in config-service where sealed secrets are opened. Row values are answered, never logged.
 */
@ApplicationScoped
public class WarehouseProbe {

    /** At most this many rows in a preview (Hightouch shows the first 100). */
    public static final int MAX_PREVIEW_ROWS = 100;
    private static final int TIMEOUT_SECONDS = 5;
    private static final int QUERY_TIMEOUT_SECONDS = 30;
    private static final Driver DRIVER = new Driver();
    private static final DuckDBDriver DUCKDB = new DuckDBDriver();
    private static final NonRegisteringDriver MYSQL = mySqlDriver();

    private final SecretBox secrets;
    private final EgressPolicy egress;

    public WarehouseProbe(SecretBox secrets, EgressPolicy egress) {
        this.secrets = secrets;
        this.egress = egress;
    }

    /** The answer of a connection test: ok, or the driver's message. */
    public record TestResult(boolean success, String message) {
    }

    /** A column of a preview, by its warehouse type name. */
    public record Column(String name, String type) {
    }

    /** The columns of a query and its first rows (column name to value, in column order). */
    public record Preview(List<Column> columns, List<Map<String, Object>> rows) {
        public List<String> columnNames() {
            return columns.stream().map(Column::name).toList();
        }
    }

    /** The source could not be reached or the query failed; the message is the warehouse's. */
    public static class WarehouseException extends Exception {
        public WarehouseException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Connects and runs {@code SELECT 1}. */
    public TestResult test(Source source) {
        try (Connection c = connect(source); Statement s = c.createStatement()) {
            c.setReadOnly(true);
            s.setQueryTimeout(TIMEOUT_SECONDS);
            s.execute("SELECT 1");
            return new TestResult(true, "connected to " + source.type() + " source " + source.slug());
        } catch (WarehouseException e) {
            return new TestResult(false, e.getMessage());
        } catch (SQLException e) {
            return new TestResult(false, e.getMessage());
        }
    }

    /** Runs the SQL read-only, wrapped so the warehouse stops after {@code limit} rows. */
    public Preview preview(Source source, String sql, int limit) throws WarehouseException {
        int rows = Math.max(0, Math.min(limit, MAX_PREVIEW_ROWS));
        String inner = sql.strip();
        while (inner.endsWith(";")) {
            inner = inner.substring(0, inner.length() - 1).strip();
        }
        String wrapped = "SELECT * FROM (" + inner + "\n) AS eddy_preview LIMIT " + rows;
        if ("postgres".equals(source.type()) && statements(wrapped) > 1) {
            // counted on the text sent: pgjdbc would run each statement, and one could end the read-only transaction
            throw new WarehouseException("a model is one SQL statement; this one has several (separated by ';')", null);
        }
        try (Connection c = connect(source)) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
                s.setMaxRows(rows);
                try (ResultSet rs = s.executeQuery(wrapped)) {
                    ResultSetMetaData md = rs.getMetaData();
                    List<Column> columns = new ArrayList<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        columns.add(new Column(md.getColumnLabel(i), md.getColumnTypeName(i)));
                    }
                    List<Map<String, Object>> result = new ArrayList<>();
                    while (rs.next()) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        for (int i = 1; i <= columns.size(); i++) {
                            row.put(columns.get(i - 1).name(), value(rs.getObject(i)));
                        }
                        result.add(row);
                    }
                    return new Preview(columns, result);
                }
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new WarehouseException(e.getMessage(), e);
        }
    }

    /** The statements pgjdbc would run for {@code sql}, counted by its own parser (quotes, dollar quotes, comments). */
    private static long statements(String sql) {
        try {
            return Parser.parseJdbcSql(sql, true, false, true, false, true).stream().filter(q -> !q.nativeSql.isBlank()).count();
        } catch (SQLException e) {
            return 1;
        }
    }

    /** JSON-friendly values: numbers, booleans and strings as they are, anything else as its text. */
    private static Object value(Object v) {
        if (v == null || v instanceof Number || v instanceof Boolean || v instanceof String) {
            return v;
        }
        return v.toString();
    }

    private Connection connect(Source source) throws WarehouseException {
        if ("duckdb".equals(source.type())) {
            return connectDuckDb(source.configuration());
        }
        if ("mysql".equals(source.type())) {
            return connectMySql(secrets.openSecrets(source.configuration().deepCopy()));
        }
        if (!"postgres".equals(source.type())) {
            throw new WarehouseException("source type '" + source.type() + "' cannot be probed", null);
        }
        Map<String, String> config = settings(secrets.openSecrets(source.configuration().deepCopy()));
        try {
            SourceAddress address = SourceAddress.of(config, PostgresConnection.DEFAULT_PORT);
            String sslMode = config.get("sslmode");
            Properties props = PostgresConnection.properties(SourceAddress.user(config), blankToNull(config.get("password")),
                    sslMode, Duration.ofSeconds(TIMEOUT_SECONDS), "eddy-config", true);
            props.setProperty("socketTimeout", Integer.toString(QUERY_TIMEOUT_SECONDS + 5));
            String url = PostgresConnection.url(address, connectHost(address, PostgresConnection.verifiesHostName(sslMode)));
            Connection c = DRIVER.connect(url, props);
            if (c == null) {
                throw new WarehouseException("not a PostgreSQL address: " + url, null);
            }
            return c;
        } catch (InvalidSourceAddressException e) {
            throw new WarehouseException("configuration." + e.field() + " " + e.problem(), e);
        } catch (SQLException e) {
            throw new WarehouseException(e.getMessage(), e);
        }
    }

    /** The host's checked address (see {@link SourceAddress#connectHost}). */
    private String connectHost(SourceAddress address, boolean verifiesName) throws WarehouseException {
        try {
            return address.connectHost(egress, verifiesName);
        } catch (EgressDeniedException e) {
            throw new WarehouseException("configuration.host " + e.getMessage(), e);
        } catch (UnknownHostException e) {
            throw new WarehouseException("unknown host " + address.host() + ": " + e.getMessage(), e);
        }
    }

    /** A source configuration as the text settings the connection classes read. */
    private static Map<String, String> settings(ObjectNode config) {
        Map<String, String> settings = new LinkedHashMap<>();
        config.fields().forEachRemaining(field -> {
            if (!field.getValue().isNull() && field.getValue().isValueNode()) {
                settings.put(field.getKey(), field.getValue().asText());
            }
        });
        return settings;
    }

    private static String blankToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /**
     * A DuckDB file, opened read-only (a shared lock: other readers may read at the same time) and without
     * access to other files of the host: the SQL runs inside this process. A missing file is not created.
     *
     * <p>This is another process than the extractor, which holds the file read-write (excluding every other
     * process) while it runs a sync on it or writes its sync logs, as does a DuckDB CLI or dbt writing it. A lock
     * is retried with backoff for {@link #TIMEOUT_SECONDS}, then answered with the holding process DuckDB names.
     */
    private static Connection connectDuckDb(ObjectNode config) throws WarehouseException {
        String path = text(config, DuckDbSourcePath.FIELD);
        String problem = DuckDbSourcePath.problem(path).orElse(null);
        if (problem != null) {
            throw new WarehouseException("configuration.path " + problem, null);
        }
        Properties props = new Properties();
        props.setProperty(DuckDBDriver.DUCKDB_ACCESS_MODE_PROPERTY, DuckDBDriver.DUCKDB_ACCESS_MODE_READ_ONLY);
        props.setProperty("enable_external_access", "false");
        props.setProperty(DuckDBDriver.DUCKDB_USER_AGENT_PROPERTY, "eddy-config");
        long deadline = System.nanoTime() + Duration.ofSeconds(TIMEOUT_SECONDS).toNanos();
        long backoff = 25;
        while (true) {
            try {
                return DUCKDB.connect("jdbc:duckdb:" + DuckDbSourcePath.normalized(path), props);
            } catch (SQLException e) {
                long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
                if (!DuckDbLocks.isLockConflict(e)) {
                    throw new WarehouseException(e.getMessage(), e);
                }
                if (left <= 0) {
                    throw new WarehouseException("the DuckDB file " + path + " is locked by " + DuckDbLocks.holder(e.getMessage())
                            + " (DuckDB allows one process to write a file and no other to read it meanwhile; Eddy's extractor "
                            + "holds it while it runs a sync on it) and stayed locked for " + TIMEOUT_SECONDS + " s: "
                            + DuckDbLocks.firstLine(e.getMessage()), e);
                }
                try {
                    Thread.sleep(Math.min(left, backoff + ThreadLocalRandom.current().nextLong(backoff / 2 + 1)));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new WarehouseException("interrupted while waiting for the DuckDB file's lock", interrupted);
                }
                backoff = Math.min(1000, backoff * 2);
            }
        }
    }

    /**
     * A MySQL (or MariaDB) server through Connector/J, with the extractor's session settings
     * ({@link MySqlConnection}), so a preview shows what a run reads. Connector/J's timeouts are milliseconds.
     */
    private Connection connectMySql(ObjectNode node) throws WarehouseException {
        Map<String, String> config = settings(node);
        SourceAddress address;
        try {
            address = SourceAddress.of(config, MySqlConnection.DEFAULT_PORT);
        } catch (InvalidSourceAddressException e) {
            throw new WarehouseException("configuration." + e.field() + " " + e.problem(), e);
        }
        String port = Integer.toString(address.port());
        try {
            String sslMode = config.get("sslMode");
            Properties props = MySqlConnection.properties(SourceAddress.user(config), blankToNull(config.get("password")),
                    sslMode, Duration.ofSeconds(TIMEOUT_SECONDS), "eddy-config");
            props.setProperty("socketTimeout", Long.toString(Duration.ofSeconds(QUERY_TIMEOUT_SECONDS + 5).toMillis()));
            String url = MySqlConnection.url(address, connectHost(address, "VERIFY_IDENTITY".equals(sslMode)));
            Connection c = MYSQL.connect(url, props);
            if (c == null) {
                throw new WarehouseException("not a MySQL address: " + url, null);
            }
            return c;
        } catch (InvalidSourceAddressException e) {
            throw new WarehouseException("configuration." + e.field() + " " + e.problem(), e);
        } catch (SQLException e) {
            throw new WarehouseException(MySqlConnection.connectFailure(address.host(), port, e), e);
        }
    }

    private static NonRegisteringDriver mySqlDriver() {
        try {
            return new NonRegisteringDriver();
        } catch (SQLException e) {
            throw new IllegalStateException("MySQL Connector/J cannot be loaded", e);
        }
    }

    private static String text(JsonNode config, String field) {
        JsonNode v = config.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }
}
