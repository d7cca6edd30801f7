package dev.eddy.extractor.synclogs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Writes a run's sync logs to schema {@code eddy_audit} of a PostgreSQL, DuckDB or MySQL warehouse, with
 * Hightouch's table and column names. Tables are created if absent; rows go in multi-row statements of at most
 * {@link #ROWS_PER_STATEMENT} rows (never one statement per row), all in one transaction so a run's logs appear
 * whole or not at all. The warehouses take the same statements except for the SQL details of {@link Flavor}.
 */
public final class AuditTables {

    /** What differs between the warehouses the logs can be written to. */
    public enum Flavor {
        POSTGRES,
        /** DuckDB: a {@code JSON} column; no index on the changelog (its zone maps serve the per-run delete). */
        DUCKDB,
        /**
         * MySQL and MariaDB: {@code eddy_audit} is a database; keys are {@code VARCHAR}s (a primary key cannot hold
         * {@code TEXT}) compared byte by byte, times are UTC {@code DATETIME(6)} ({@code TIMESTAMP} ends in 2038),
         * the changelog's index is declared with its table (MySQL has no {@code CREATE INDEX IF NOT EXISTS}), and the
         * snapshot is upserted with {@code ON DUPLICATE KEY UPDATE}. Its DDL commits by itself, before the rows.
         */
        MYSQL;

        /** The flavor for a source type, or empty when sync logs cannot be written to it. */
        public static Optional<Flavor> forSourceType(String type) {
            return switch (type == null ? "" : type) {
                case "postgres" -> Optional.of(POSTGRES);
                case "duckdb" -> Optional.of(DUCKDB);
                case "mysql" -> Optional.of(MYSQL);
                default -> Optional.empty();
            };
        }

        /** The statements that create the schema and the tables the run asks for, if absent. */
        List<String> createStatements(Connection c, SyncLogSettings settings) throws SQLException {
            List<String> ddl = new ArrayList<>();
            if (this == MYSQL) {
                ddl.add("CREATE DATABASE IF NOT EXISTS " + SCHEMA + " CHARACTER SET utf8mb4");
                String table = " CHARACTER SET utf8mb4 COLLATE " + exactCollation(c);
                if (settings.changelog()) {
                    ddl.add("CREATE TABLE IF NOT EXISTS " + SCHEMA + ".sync_changelog " + mySqlRowTable()
                            + ", INDEX sync_changelog_run (sync_id, sync_run_id))" + table);
                }
                if (settings.snapshot()) {
                    ddl.add("CREATE TABLE IF NOT EXISTS " + SCHEMA + ".sync_snapshot " + mySqlRowTable()
                            + ", PRIMARY KEY (sync_id, row_id))" + table);
                }
                if (settings.runs()) {
                    ddl.add("CREATE TABLE IF NOT EXISTS " + SCHEMA + ".sync_runs (sync_id VARCHAR(" + ID_CHARS + ") NOT NULL, "
                            + "sync_run_id VARCHAR(" + ID_CHARS + ") NOT NULL, primary_key TEXT, destination TEXT, model_name TEXT, "
                            + "error MEDIUMTEXT, status VARCHAR(16) NOT NULL, started_at DATETIME(6), finished_at DATETIME(6), "
                            + COUNT_COLUMNS.replace("?", "BIGINT") + ", PRIMARY KEY (sync_id, sync_run_id))" + table);
                }
                return ddl;
            }
            String json = this == DUCKDB ? "JSON" : "jsonb";
            String rowTable = "(sync_id text NOT NULL, sync_run_id text NOT NULL, row_id text NOT NULL, "
                    + "op_type text NOT NULL, status text NOT NULL, failure_reason text, fields " + json
                    + ", created_at timestamptz NOT NULL";
            ddl.add("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
            if (settings.changelog()) {
                ddl.add("CREATE TABLE IF NOT EXISTS " + SCHEMA + ".sync_changelog " + rowTable + ")");
                if (this == POSTGRES) {
                    ddl.add("CREATE INDEX IF NOT EXISTS sync_changelog_run ON " + SCHEMA + ".sync_changelog (sync_id, sync_run_id)");
                }
            }
            if (settings.snapshot()) {
                ddl.add("CREATE TABLE IF NOT EXISTS " + SCHEMA + ".sync_snapshot " + rowTable + ", PRIMARY KEY (sync_id, row_id))");
            }
            if (settings.runs()) {
                ddl.add("CREATE TABLE IF NOT EXISTS " + SCHEMA + ".sync_runs (sync_id text NOT NULL, sync_run_id text NOT NULL, "
                        + "primary_key text, destination text, model_name text, error text, status text NOT NULL, "
                        + "started_at timestamptz, finished_at timestamptz, " + COUNT_COLUMNS.replace("?", "bigint") + ", "
                        + "PRIMARY KEY (sync_id, sync_run_id))");
            }
            return ddl;
        }

        /** One row's placeholders in a multi-row INSERT; {@code fields} is cast to the JSON type where needed. */
        String rowValues() {
            return switch (this) {
                case POSTGRES -> "(?,?,?,?,?,?,?::jsonb,?)";
                case DUCKDB -> "(?,?,?,?,?,?,?::JSON,?)";
                // a JSON column parses the text itself (and MariaDB's JSON is a checked LONGTEXT without a JSON cast)
                case MYSQL -> "(?,?,?,?,?,?,?,?)";
            };
        }

        /**
         * The snapshot's upsert: the row's latest op, status and reason; a failed change keeps the row's last
         * delivered fields (the snapshot is the destination's state).
         */
        String snapshotUpsert() {
            if (this == MYSQL) {
                // MySQL assigns left to right and later expressions see earlier assignments: fields goes first, while
                // the row still holds its old values, and every new value is read through VALUES() (which MySQL 8.0.20+
                // deprecates in favour of a row alias that MariaDB does not know)
                return " ON DUPLICATE KEY UPDATE fields = IF(VALUES(status) = 'succeeded', VALUES(fields), fields), "
                        + "sync_run_id = VALUES(sync_run_id), op_type = VALUES(op_type), status = VALUES(status), "
                        + "failure_reason = VALUES(failure_reason), created_at = VALUES(created_at)";
            }
            return " ON CONFLICT (sync_id, row_id) DO UPDATE SET sync_run_id = EXCLUDED.sync_run_id, op_type = EXCLUDED.op_type, "
                    + "status = EXCLUDED.status, failure_reason = EXCLUDED.failure_reason, "
                    + "fields = CASE WHEN EXCLUDED.status = 'succeeded' THEN EXCLUDED.fields ELSE " + SCHEMA + ".sync_snapshot.fields END, "
                    + "created_at = EXCLUDED.created_at";
        }

        /**
         * An instant parameter: pgjdbc takes a {@link Timestamp}; DuckDB an offset date-time, whatever the JVM's zone;
         * MySQL's UTC {@code DATETIME(6)} the UTC local date-time.
         */
        void setInstant(PreparedStatement p, int n, Instant at) throws SQLException {
            if (at == null) {
                p.setNull(n, this == MYSQL ? Types.TIMESTAMP : Types.TIMESTAMP_WITH_TIMEZONE);
            } else if (this == DUCKDB) {
                p.setObject(n, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            } else if (this == MYSQL) {
                p.setObject(n, LocalDateTime.ofInstant(at, ZoneOffset.UTC));
            } else {
                p.setTimestamp(n, Timestamp.from(at));
            }
        }

        private static String mySqlRowTable() {
            return "(sync_id VARCHAR(" + ID_CHARS + ") NOT NULL, sync_run_id VARCHAR(" + ID_CHARS + ") NOT NULL, "
                    + "row_id VARCHAR(" + MYSQL_ROW_ID_CHARS + ") NOT NULL, op_type VARCHAR(16) NOT NULL, status VARCHAR(16) NOT NULL, "
                    + "failure_reason MEDIUMTEXT, fields JSON, created_at DATETIME(6) NOT NULL";
        }

        /**
         * A binary collation, so keys differing only in case are different keys; a NO PAD one where the server has it,
         * so trailing spaces count too: MariaDB's {@code utf8mb4_nopad_bin}, else MySQL 8's {@code utf8mb4_0900_bin}
         * (MariaDB 11.4 knows that name too, as an alias of its PAD SPACE {@code utf8mb4_bin}).
         */
        private static String exactCollation(Connection c) throws SQLException {
            List<String> known = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COLLATION_NAME FROM information_schema.COLLATIONS "
                    + "WHERE COLLATION_NAME IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin')")) {
                while (rs.next()) {
                    known.add(rs.getString(1));
                }
            }
            return known.contains("utf8mb4_nopad_bin") ? "utf8mb4_nopad_bin"
                    : known.contains("utf8mb4_0900_bin") ? "utf8mb4_0900_bin" : "utf8mb4_bin";
        }
    }

    /** At most this many rows per multi-row INSERT: 8 parameters each stays far below PostgreSQL's 65,535-parameter limit. */
    static final int ROWS_PER_STATEMENT = 1000;
    /**
     * A statement is closed early once its rows' text reaches this many characters, so it stays below MySQL's
     * {@code max_allowed_packet} (16 MB by default on MariaDB, 64 MB on MySQL 8) even for wide rows.
     */
    static final int CHARS_PER_STATEMENT = 2_000_000;
    /** MySQL: characters of the sync and run ids. */
    static final int ID_CHARS = 64;
    /**
     * MySQL: characters of a row id (a primary key value as text). With the sync id it fills InnoDB's 3,072-byte
     * key at 4 bytes a character; a longer key fails the write.
     */
    static final int MYSQL_ROW_ID_CHARS = 700;

    public static final String SCHEMA = "eddy_audit";

    private static final String ROW_COLUMNS = "sync_id, sync_run_id, row_id, op_type, status, failure_reason, fields, created_at";
    private static final String COUNT_COLUMNS = "num_planned_add ?, num_planned_change ?, num_planned_remove ?, "
            + "num_attempted_add ?, num_attempted_change ?, num_attempted_remove ?, "
            + "num_succeeded_add ?, num_succeeded_change ?, num_succeeded_remove ?, "
            + "num_failed_add ?, num_failed_change ?, num_failed_remove ?";

    private AuditTables() {
    }

    /** Creates the schema and the tables the run asks for, if absent. */
    static void create(Connection c, SyncLogSettings settings, Flavor flavor) throws SQLException {
        List<String> ddl = flavor.createStatements(c, settings);
        try (Statement s = c.createStatement()) {
            for (String statement : ddl) {
                s.execute(statement);
            }
        }
    }

    /**
     * Writes the run's logs in one transaction. Idempotent: the run's changelog rows are replaced, the
     * snapshot is upserted and the run row is replaced, so writing a run twice leaves one copy.
     */
    public static void write(Connection c, RunLog run, Instant createdAt, Flavor flavor) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            create(c, run.settings(), flavor);
            List<RowLog> rows = run.settings().rowLevel() ? run.rows() : List.of();
            if (run.settings().changelog()) {
                try (PreparedStatement d = c.prepareStatement("DELETE FROM " + SCHEMA + ".sync_changelog WHERE sync_id = ? AND sync_run_id = ?")) {
                    d.setString(1, run.syncId());
                    d.setString(2, run.runId());
                    d.executeUpdate();
                }
                insertRows(c, flavor, "INSERT INTO " + SCHEMA + ".sync_changelog (" + ROW_COLUMNS + ") VALUES ", "", run, rows, createdAt);
            }
            if (run.settings().snapshot()) {
                insertRows(c, flavor, "INSERT INTO " + SCHEMA + ".sync_snapshot (" + ROW_COLUMNS + ") VALUES ",
                        flavor.snapshotUpsert(), run, rows, createdAt);
            }
            if (run.settings().runs()) {
                insertRun(c, flavor, run.summary());
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private static void insertRows(Connection c, Flavor flavor, String insert, String suffix, RunLog run, List<RowLog> rows,
                                   Instant createdAt) throws SQLException {
        int from = 0;
        while (from < rows.size()) {
            int to = from;
            long chars = 0;
            while (to < rows.size() && to - from < ROWS_PER_STATEMENT && (to == from || chars < CHARS_PER_STATEMENT)) {
                chars += length(rows.get(to));
                to++;
            }
            insertChunk(c, flavor, insert, suffix, run, rows.subList(from, to), createdAt);
            from = to;
        }
    }

    private static void insertChunk(Connection c, Flavor flavor, String insert, String suffix, RunLog run, List<RowLog> chunk,
                                    Instant createdAt) throws SQLException {
        StringBuilder sql = new StringBuilder(insert);
        for (int i = 0; i < chunk.size(); i++) {
            sql.append(i == 0 ? "" : ",").append(flavor.rowValues());
        }
        sql.append(suffix);
        try (PreparedStatement p = c.prepareStatement(sql.toString())) {
            int n = 1;
            for (RowLog row : chunk) {
                p.setString(n++, run.syncId());
                p.setString(n++, run.runId());
                p.setString(n++, row.rowId());
                p.setString(n++, row.opType());
                p.setString(n++, row.status());
                p.setString(n++, row.failureReason());
                p.setString(n++, row.fieldsJson());
                flavor.setInstant(p, n++, createdAt);
            }
            p.executeUpdate();
        }
    }

    private static long length(RowLog row) {
        return 64L + row.rowId().length() + (row.failureReason() == null ? 0 : row.failureReason().length())
                + (row.fieldsJson() == null ? 0 : row.fieldsJson().length());
    }

    private static void insertRun(Connection c, Flavor flavor, RunSummary r) throws SQLException {
        try (PreparedStatement d = c.prepareStatement("DELETE FROM " + SCHEMA + ".sync_runs WHERE sync_id = ? AND sync_run_id = ?")) {
            d.setString(1, r.syncId());
            d.setString(2, r.syncRunId());
            d.executeUpdate();
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO " + SCHEMA + ".sync_runs (sync_id, sync_run_id, primary_key, "
                + "destination, model_name, error, status, started_at, finished_at, " + COUNT_COLUMNS.replace(" ?", "") + ") "
                + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            int n = 1;
            p.setString(n++, r.syncId());
            p.setString(n++, r.syncRunId());
            p.setString(n++, r.primaryKey());
            p.setString(n++, r.destination());
            p.setString(n++, r.modelName());
            p.setString(n++, r.error());
            p.setString(n++, r.status());
            flavor.setInstant(p, n++, r.startedAt());
            flavor.setInstant(p, n++, r.finishedAt());
            for (RunSummary.Counts counts : List.of(r.planned(), r.attempted(), r.succeeded(), r.failed())) {
                p.setLong(n++, counts.add());
                p.setLong(n++, counts.change());
                p.setLong(n++, counts.remove());
            }
            p.executeUpdate();
        }
    }
}
