package dev.eddy.extractor.synclogs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * Writes a run's sync logs to schema {@code eddy_audit} of a PostgreSQL or DuckDB warehouse, with Hightouch's
 * table and column names. Tables are created if absent; rows go in multi-row statements of
 * {@link #ROWS_PER_STATEMENT} (never one statement per row), all in one transaction so a run's logs appear
 * whole or not at all. Both warehouses take the same statements except for the SQL details of {@link Flavor}.
 */
public final class AuditTables {

    /** What differs between the warehouses the logs can be written to. */
    public enum Flavor {
        POSTGRES("jsonb", true),
        /** DuckDB: a {@code JSON} column; no index on the changelog (its zone maps serve the per-run delete). */
        DUCKDB("JSON", false);

        private final String jsonType;
        private final boolean changelogIndex;

        Flavor(String jsonType, boolean changelogIndex) {
            this.jsonType = jsonType;
            this.changelogIndex = changelogIndex;
        }

        /** The flavor for a source type, or empty when sync logs cannot be written to it. */
        public static Optional<Flavor> forSourceType(String type) {
            if ("postgres".equals(type)) {
                return Optional.of(POSTGRES);
            }
            if ("duckdb".equals(type)) {
                return Optional.of(DUCKDB);
            }
            return Optional.empty();
        }

        String rowTable() {
            return "(sync_id text NOT NULL, sync_run_id text NOT NULL, row_id text NOT NULL, "
                    + "op_type text NOT NULL, status text NOT NULL, failure_reason text, fields " + jsonType
                    + ", created_at timestamptz NOT NULL";
        }

        /** A timestamptz parameter: pgjdbc takes a {@link Timestamp}; DuckDB an offset date-time, whatever the JVM's zone. */
        void setInstant(PreparedStatement p, int n, Instant at) throws SQLException {
            if (at == null) {
                p.setNull(n, Types.TIMESTAMP_WITH_TIMEZONE);
            } else if (this == DUCKDB) {
                p.setObject(n, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            } else {
                p.setTimestamp(n, Timestamp.from(at));
            }
        }
    }

    /** Rows per multi-row INSERT: 8 parameters each stays far below PostgreSQL's 65,535-parameter limit. */
    static final int ROWS_PER_STATEMENT = 1000;

    public static final String SCHEMA = "eddy_audit";

    private static final String ROW_COLUMNS = "sync_id, sync_run_id, row_id, op_type, status, failure_reason, fields, created_at";

    private AuditTables() {
    }

    /** Creates the schema and the tables the run asks for, if absent. */
    static void create(Connection c, SyncLogSettings settings, Flavor flavor) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
            if (settings.changelog()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + SCHEMA + ".sync_changelog " + flavor.rowTable() + ")");
                if (flavor.changelogIndex) {
                    s.execute("CREATE INDEX IF NOT EXISTS sync_changelog_run ON " + SCHEMA + ".sync_changelog (sync_id, sync_run_id)");
                }
            }
            if (settings.snapshot()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + SCHEMA + ".sync_snapshot " + flavor.rowTable() + ", PRIMARY KEY (sync_id, row_id))");
            }
            if (settings.runs()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + SCHEMA + ".sync_runs (sync_id text NOT NULL, sync_run_id text NOT NULL, "
                        + "primary_key text, destination text, model_name text, error text, status text NOT NULL, "
                        + "started_at timestamptz, finished_at timestamptz, "
                        + "num_planned_add bigint, num_planned_change bigint, num_planned_remove bigint, "
                        + "num_attempted_add bigint, num_attempted_change bigint, num_attempted_remove bigint, "
                        + "num_succeeded_add bigint, num_succeeded_change bigint, num_succeeded_remove bigint, "
                        + "num_failed_add bigint, num_failed_change bigint, num_failed_remove bigint, "
                        + "PRIMARY KEY (sync_id, sync_run_id))");
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
                        " ON CONFLICT (sync_id, row_id) DO UPDATE SET sync_run_id = EXCLUDED.sync_run_id, op_type = EXCLUDED.op_type, "
                                + "status = EXCLUDED.status, failure_reason = EXCLUDED.failure_reason, "
                                // a failed change keeps the row's last delivered fields: the snapshot is the destination's state
                                + "fields = CASE WHEN EXCLUDED.status = 'succeeded' THEN EXCLUDED.fields ELSE " + SCHEMA + ".sync_snapshot.fields END, "
                                + "created_at = EXCLUDED.created_at", run, rows, createdAt);
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
        String values = "(?,?,?,?,?,?,?::" + flavor.jsonType + ",?)";
        for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
            List<RowLog> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT));
            StringBuilder sql = new StringBuilder(insert);
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "" : ",").append(values);
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
    }

    private static void insertRun(Connection c, Flavor flavor, RunSummary r) throws SQLException {
        try (PreparedStatement d = c.prepareStatement("DELETE FROM " + SCHEMA + ".sync_runs WHERE sync_id = ? AND sync_run_id = ?")) {
            d.setString(1, r.syncId());
            d.setString(2, r.syncRunId());
            d.executeUpdate();
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO " + SCHEMA + ".sync_runs (sync_id, sync_run_id, primary_key, "
                + "destination, model_name, error, status, started_at, finished_at, num_planned_add, num_planned_change, "
                + "num_planned_remove, num_attempted_add, num_attempted_change, num_attempted_remove, num_succeeded_add, "
                + "num_succeeded_change, num_succeeded_remove, num_failed_add, num_failed_change, num_failed_remove) "
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
