package dev.eddy.diff.service;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Creates the {@code diff} schema and its tables at start (plain SQL; Flyway is not on the mirror). */
@ApplicationScoped
public class SchemaInitializer {

    private static final Logger LOG = Logger.getLogger(SchemaInitializer.class);

    private static final String[] DDL = {
            "CREATE SCHEMA IF NOT EXISTS diff",
            // per sync, the key -> hash of every row successfully delivered
            "CREATE TABLE IF NOT EXISTS diff.snapshot (sync_id text NOT NULL, pk text NOT NULL, hash bytea NOT NULL,"
                    + " PRIMARY KEY (sync_id, pk))",
            "CREATE TABLE IF NOT EXISTS diff.runs (run_id text PRIMARY KEY, sync_id text NOT NULL,"
                    + " attempt bigint NOT NULL, state text NOT NULL, status text, spec_json text NOT NULL,"
                    + " full_resync boolean NOT NULL DEFAULT false, reset_cdc boolean NOT NULL DEFAULT false,"
                    + " query_size bigint, columns text[],"
                    + " planned_added bigint NOT NULL DEFAULT 0, planned_changed bigint NOT NULL DEFAULT 0,"
                    + " planned_removed bigint NOT NULL DEFAULT 0, unsent bigint NOT NULL DEFAULT 0,"
                    + " ok_added bigint NOT NULL DEFAULT 0, ok_changed bigint NOT NULL DEFAULT 0,"
                    + " ok_removed bigint NOT NULL DEFAULT 0, failed_added bigint NOT NULL DEFAULT 0,"
                    + " failed_changed bigint NOT NULL DEFAULT 0, failed_removed bigint NOT NULL DEFAULT 0,"
                    + " duplicate_count bigint NOT NULL DEFAULT 0, duplicates text[] NOT NULL DEFAULT '{}',"
                    + " error text, error_code text, change_batches int,"
                    + " started_at timestamptz NOT NULL, finished_at timestamptz)",
            "CREATE INDEX IF NOT EXISTS runs_sync_idx ON diff.runs (sync_id)",
            // the keys seen in a run live in one table per run (StagedKeys); diff.run_rows, where earlier
            // versions kept them, is only read to carry over a run staged before an upgrade
            // planned changes awaiting an outcome; sent_as null = counted, not sent (do_nothing removals)
            "CREATE TABLE IF NOT EXISTS diff.pending (run_id text NOT NULL, pk text NOT NULL, op text NOT NULL,"
                    + " sent_as text, hash bytea, data text, PRIMARY KEY (run_id, pk))",
            "CREATE TABLE IF NOT EXISTS diff.done_batches (run_id text NOT NULL, stream text NOT NULL, seq int NOT NULL,"
                    + " PRIMARY KEY (run_id, stream, seq))",
    };

    private final AgroalDataSource dataSource;

    public SchemaInitializer(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void create() {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                // several instances may start at once: one creates, the others wait
                s.execute("SELECT pg_advisory_xact_lock(7417001)");
                for (String ddl : DDL) {
                    s.execute(ddl);
                }
            }
            c.commit();
            LOG.info("schema diff ready");
        } catch (SQLException e) {
            throw new IllegalStateException("the diff schema cannot be created: " + e.getMessage(), e);
        }
    }
}
