package dev.eddy.config.store;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Creates schema {@code config} and its tables at start with plain SQL ({@code IF NOT EXISTS}); the
 * Flyway extension is not on our mirror, and plain JDBC keeps the JSON columns under our control.
 */
@ApplicationScoped
public class ConfigSchema {

    /** Startup order: the schema first, then the bootstrap key, then the consumers. */
    public static final int STARTUP_PRIORITY = 10;

    private static final String[] DDL = {
            "CREATE SCHEMA IF NOT EXISTS config",
            """
            CREATE TABLE IF NOT EXISTS config.sources (
              id bigserial PRIMARY KEY, name text NOT NULL, slug text NOT NULL UNIQUE, type text NOT NULL,
              configuration jsonb NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)""",
            """
            CREATE TABLE IF NOT EXISTS config.models (
              id bigserial PRIMARY KEY, name text NOT NULL, slug text NOT NULL UNIQUE,
              source_id bigint NOT NULL REFERENCES config.sources(id), query_type text NOT NULL,
              raw_sql text, table_name text, primary_key text NOT NULL,
              created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)""",
            """
            CREATE TABLE IF NOT EXISTS config.destinations (
              id bigserial PRIMARY KEY, name text NOT NULL, slug text NOT NULL UNIQUE, type text NOT NULL,
              configuration jsonb NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)""",
            """
            CREATE TABLE IF NOT EXISTS config.syncs (
              id bigserial PRIMARY KEY, slug text NOT NULL UNIQUE,
              model_id bigint NOT NULL REFERENCES config.models(id),
              destination_id bigint NOT NULL REFERENCES config.destinations(id),
              disabled boolean NOT NULL, schedule jsonb NOT NULL, configuration jsonb NOT NULL,
              created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)""",
            """
            CREATE TABLE IF NOT EXISTS config.runs (
              id bigint PRIMARY KEY, sync_id bigint NOT NULL, status text NOT NULL,
              created_at timestamptz NOT NULL, started_at timestamptz, finished_at timestamptz,
              query_size bigint, planned_added bigint, planned_changed bigint, planned_removed bigint,
              successful_added bigint, successful_changed bigint, successful_removed bigint,
              failed_added bigint, failed_changed bigint, failed_removed bigint,
              completion_ratio double precision, error text, error_code text,
              full_resync boolean NOT NULL DEFAULT false, trigger text)""",
            "CREATE INDEX IF NOT EXISTS runs_by_sync ON config.runs (sync_id, created_at DESC, id DESC)",
            """
            CREATE TABLE IF NOT EXISTS config.api_keys (
              id bigserial PRIMARY KEY, name text NOT NULL, hash text NOT NULL UNIQUE,
              created_at timestamptz NOT NULL, revoked_at timestamptz)""",
            "ALTER TABLE config.models ADD COLUMN IF NOT EXISTS dbt jsonb",
            "ALTER TABLE config.models ADD COLUMN IF NOT EXISTS tags jsonb",
            """
            CREATE TABLE IF NOT EXISTS config.dbt_nodes (
              unique_id text PRIMARY KEY, node jsonb NOT NULL, uploaded_at timestamptz NOT NULL)""",
            """
            CREATE TABLE IF NOT EXISTS config.sync_sequences (
              id bigserial PRIMARY KEY, name text NOT NULL, slug text NOT NULL UNIQUE, schedule jsonb NOT NULL,
              schedule_paused boolean NOT NULL DEFAULT false, steps jsonb NOT NULL,
              created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)""",
            """
            CREATE TABLE IF NOT EXISTS config.sequence_runs (
              id bigint PRIMARY KEY, sequence_id bigint NOT NULL, status text NOT NULL, trigger text NOT NULL,
              trigger_id text UNIQUE, created_at timestamptz NOT NULL, started_at timestamptz,
              finished_at timestamptz, error text, steps jsonb NOT NULL)""",
            "CREATE INDEX IF NOT EXISTS sequence_runs_by_sequence ON config.sequence_runs (sequence_id, created_at DESC, id DESC)",
            "CREATE INDEX IF NOT EXISTS sequence_runs_open ON config.sequence_runs (status) WHERE status IN ('pending', 'running')",
            // a paused schedule stops scheduled runs only; disabled stops every run
            "ALTER TABLE config.syncs ADD COLUMN IF NOT EXISTS schedule_paused boolean NOT NULL DEFAULT false",
            // the key EDDY_API_KEY stored, apart from keys made with POST /api-keys; rows from before the column was
            // added are marked by the name the bootstrap key always had
            "ALTER TABLE config.api_keys ADD COLUMN IF NOT EXISTS bootstrap boolean",
            "UPDATE config.api_keys SET bootstrap = (name = 'bootstrap') WHERE bootstrap IS NULL",
            "ALTER TABLE config.api_keys ALTER COLUMN bootstrap SET DEFAULT false",
            "ALTER TABLE config.api_keys ALTER COLUMN bootstrap SET NOT NULL",
    };

    private final AgroalDataSource dataSource;

    public ConfigSchema(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    void onStart(@Observes @Priority(STARTUP_PRIORITY) StartupEvent event) {
        apply(dataSource, "schema config", DDL);
    }

    /**
     * Runs {@code ddl} (idempotent statements) under the config schema's advisory lock, so several instances
     * starting at once never race; {@code what} names the tables in the error.
     */
    public static void apply(AgroalDataSource dataSource, String what, String... ddl) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_lock(hashtext('eddy.config.schema'))");
            try {
                for (String statement : ddl) {
                    s.execute(statement);
                }
            } finally {
                s.execute("SELECT pg_advisory_unlock(hashtext('eddy.config.schema'))");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create " + what + ": " + e.getMessage(), e);
        }
    }
}
