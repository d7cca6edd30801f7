package dev.eddy.scheduler.store;

import dev.eddy.scheduler.service.SyncSlot;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/**
 * The scheduler's state in PostgreSQL schema {@code scheduler}: per sync the run in flight and the queued
 * trigger ({@code sync_state}), and every run id the scheduler decided on ({@code released_runs}, which
 * guards against releasing a run twice on replay). Work on one sync happens in a {@link SyncTransaction}
 * holding that sync's row lock, because the trigger and run-event consumers run concurrently.
 */
@ApplicationScoped
public class SyncStateStore {

    private static final String[] SCHEMA = {
            "SELECT pg_advisory_xact_lock(hashtext('eddy.scheduler.schema'))",
            "CREATE SCHEMA IF NOT EXISTS scheduler",
            """
            CREATE TABLE IF NOT EXISTS scheduler.sync_state (
                sync_id          text PRIMARY KEY,
                in_flight_run_id text,
                in_flight_since  timestamptz,
                queued_run_id    text,
                queued_trigger   text,
                updated_at       timestamptz NOT NULL DEFAULT now()
            )""",
            """
            CREATE TABLE IF NOT EXISTS scheduler.released_runs (
                run_id      text PRIMARY KEY,
                sync_id     text NOT NULL,
                released_at timestamptz NOT NULL,
                trigger_id  text,
                outcome     text NOT NULL DEFAULT 'released'
            )""",
            "CREATE INDEX IF NOT EXISTS released_runs_trigger_id ON scheduler.released_runs (trigger_id)",
            // the last sign of life of the in-flight run, so a run nobody reports on any more can be ended
            "ALTER TABLE scheduler.sync_state ADD COLUMN IF NOT EXISTS last_event_at timestamptz",
            // what that sign said (status, producer), so a run ended for lack of progress names its stage
            "ALTER TABLE scheduler.sync_state ADD COLUMN IF NOT EXISTS last_status text",
            "ALTER TABLE scheduler.sync_state ADD COLUMN IF NOT EXISTS last_producer text",
    };

    private final AgroalDataSource dataSource;

    public SyncStateStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Creates the schema and tables if missing; safe when several instances start at once. */
    public void createSchema() {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String sql : SCHEMA) {
                    s.execute(sql);
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw new SchedulerStoreException("the scheduler schema cannot be created: " + e.getMessage(), e);
        }
    }

    /** True when the database answers within {@code timeoutSeconds}. */
    public boolean isReachable(int timeoutSeconds) {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(timeoutSeconds);
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Opens a transaction holding {@code syncId}'s row lock (the row is created when missing, so two
     * concurrent first events of a sync still serialize on it).
     */
    public SyncTransaction lock(String syncId) {
        return lock(syncId, true).orElseThrow();
    }

    /** Like {@link #lock(String)}, but empty (and nothing written) when the scheduler never saw the sync. */
    public Optional<SyncTransaction> lockExisting(String syncId) {
        return lock(syncId, false);
    }

    private Optional<SyncTransaction> lock(String syncId, boolean create) {
        Connection c = null;
        try {
            c = dataSource.getConnection();
            c.setAutoCommit(false);
            if (create) {
                insertIfMissing(c, syncId);
            }
            Optional<SyncSlot> slot = selectForUpdate(c, syncId);
            if (slot.isEmpty() && !create && insertIfMissing(c, syncId) == 0) {
                // The row was being created by a transaction not committed yet (a sync's first trigger, whose run
                // request was published before its commit, and whose run already ended): the insert waited for
                // that commit and conflicted, so the row is there now. Without this, the terminal event would be
                // dropped and the sync stay busy.
                slot = selectForUpdate(c, syncId);
            }
            if (slot.isEmpty()) {
                closeQuietly(c); // rolls back the probing insert: nothing written for a sync never seen
                return Optional.empty();
            }
            return Optional.of(new SyncTransaction(c, slot.get()));
        } catch (SQLException e) {
            closeQuietly(c);
            throw new SchedulerStoreException("the state of sync " + syncId + " cannot be locked: " + e.getMessage(), e);
        }
    }

    /** Inserts the sync's empty row unless it exists; waits for a concurrent, uncommitted insert of it. */
    private static int insertIfMissing(Connection c, String syncId) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO scheduler.sync_state (sync_id) VALUES (?) ON CONFLICT (sync_id) DO NOTHING")) {
            insert.setString(1, syncId);
            return insert.executeUpdate();
        }
    }

    private static Optional<SyncSlot> selectForUpdate(Connection c, String syncId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("""
                SELECT in_flight_run_id, in_flight_since, queued_run_id, queued_trigger
                FROM scheduler.sync_state WHERE sync_id = ? FOR UPDATE""")) {
            select.setString(1, syncId);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Timestamp since = rs.getTimestamp(2);
                return Optional.of(new SyncSlot(syncId, rs.getString(1), since == null ? null : since.toInstant(),
                        rs.getString(3), rs.getString(4)));
            }
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.rollback();
                c.close();
            } catch (SQLException ignored) {
                // the original failure is what the caller reports
            }
        }
    }

    /**
     * Records a sign of life (a non-terminal run event: its status and producer) of the sync's in-flight run; an event
     * of a run no longer in flight (one the watchdog already ended) changes nothing.
     */
    public void touch(String syncId, String runId, String status, String producer, Instant at) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE scheduler.sync_state SET last_event_at = ?, "
                     + "last_status = ?, last_producer = ? WHERE sync_id = ? AND in_flight_run_id = ?")) {
            ps.setTimestamp(1, Timestamp.from(at));
            ps.setString(2, status);
            ps.setString(3, producer);
            ps.setString(4, syncId);
            ps.setString(5, runId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new SchedulerStoreException("the run " + runId + " cannot be touched: " + e.getMessage(), e);
        }
    }

    /**
     * An in-flight run with no run event since {@code lastSign}; {@code lastStatus} and {@code lastProducer} are what
     * its last event said, both null when nothing was heard since its release.
     */
    public record StalledRun(String syncId, String runId, Instant lastSign, String lastStatus, String lastProducer) {
    }

    /** In-flight runs with no sign of life (release or run event) since before {@code before}. */
    public java.util.List<StalledRun> stalledSince(Instant before) {
        java.util.List<StalledRun> stalled = new java.util.ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     SELECT sync_id, in_flight_run_id, greatest(in_flight_since, last_event_at), last_status, last_producer
                     FROM scheduler.sync_state
                     WHERE in_flight_run_id IS NOT NULL AND greatest(in_flight_since, last_event_at) < ?""")) {
            ps.setTimestamp(1, Timestamp.from(before));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stalled.add(new StalledRun(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                            rs.getString(4), rs.getString(5)));
                }
            }
            return stalled;
        } catch (SQLException e) {
            throw new SchedulerStoreException("stalled runs cannot be read: " + e.getMessage(), e);
        }
    }

    /** How a run id was decided by the scheduler. */
    public enum Outcome {
        /** A run request was published for it. */
        RELEASED,
        /** It was ended {@code cancelled} because another run was already queued. */
        SUPERSEDED,
        /** It was ended {@code failed} before it started (its trigger could not run). */
        FAILED,
        /** It was ended {@code cancelled} before it started: its sync is disabled (or, for a scheduled run, paused). */
        REFUSED
    }

    /** One sync's state under its row lock; every change is kept only on {@link #commit()}. */
    public static final class SyncTransaction implements AutoCloseable {
        private final Connection connection;
        private SyncSlot slot;
        private boolean committed;

        private SyncTransaction(Connection connection, SyncSlot slot) {
            this.connection = connection;
            this.slot = slot;
        }

        /** The sync's state as locked (updated by this transaction's changes). */
        public SyncSlot slot() {
            return slot;
        }

        /** True when the run id was released or superseded before. */
        public boolean isDecided(String runId) {
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT 1 FROM scheduler.released_runs WHERE run_id = ?")) {
                ps.setString(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            } catch (SQLException e) {
                throw failure("read released runs", e);
            }
        }

        /** The sync a run id belongs to, as the scheduler knows it (decided, in flight or queued); empty when unseen. */
        public Optional<String> syncOfRun(String runId) {
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT sync_id FROM scheduler.released_runs WHERE run_id = ? "
                            + "UNION ALL SELECT sync_id FROM scheduler.sync_state WHERE in_flight_run_id = ? OR queued_run_id = ? "
                            + "LIMIT 1")) {
                ps.setString(1, runId);
                ps.setString(2, runId);
                ps.setString(3, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            } catch (SQLException e) {
                throw failure("read the sync of a run", e);
            }
        }

        /** The run id an earlier delivery of this trigger was given, if it was decided. */
        public Optional<String> runIdOfTrigger(String triggerId) {
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT run_id FROM scheduler.released_runs WHERE trigger_id = ? AND sync_id = ?")) {
                ps.setString(1, triggerId);
                ps.setString(2, slot.syncId());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            } catch (SQLException e) {
                throw failure("read released runs", e);
            }
        }

        /** Records that the run id was decided, so a replay never decides it again. */
        public void recordDecision(String runId, String triggerId, Outcome outcome, Instant at) {
            update("INSERT INTO scheduler.released_runs (run_id, sync_id, released_at, trigger_id, outcome) "
                            + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING",
                    runId, slot.syncId(), Timestamp.from(at), triggerId, outcome.name().toLowerCase());
        }

        /** Marks the run in flight and empties the queue slot if it held that run. */
        public void markInFlight(String runId, Instant since) {
            String queuedRunId = runId.equals(slot.queuedRunId()) ? null : slot.queuedRunId();
            String queuedTrigger = queuedRunId == null ? null : slot.queuedTriggerJson();
            update("UPDATE scheduler.sync_state SET in_flight_run_id = ?, in_flight_since = ?, queued_run_id = ?, "
                            + "queued_trigger = ?, last_event_at = NULL, last_status = NULL, last_producer = NULL, "
                            + "updated_at = now() WHERE sync_id = ?",
                    runId, Timestamp.from(since), queuedRunId, queuedTrigger, slot.syncId());
            slot = new SyncSlot(slot.syncId(), runId, since, queuedRunId, queuedTrigger);
        }

        /**
         * The in-flight run's last sign of life (its release or its latest run event), read under this transaction's
         * row lock: a watchdog re-checks it here, so of several instances that saw the run quiet only the first ends it.
         */
        public Optional<Instant> lastSign() {
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT greatest(in_flight_since, last_event_at) FROM scheduler.sync_state WHERE sync_id = ?")) {
                ps.setString(1, slot.syncId());
                try (ResultSet rs = ps.executeQuery()) {
                    Timestamp at = rs.next() ? rs.getTimestamp(1) : null;
                    return at == null ? Optional.empty() : Optional.of(at.toInstant());
                }
            } catch (SQLException e) {
                throw failure("read the last sign of life in", e);
            }
        }

        /** Records a sign of life of the in-flight run (so it is not ended again before its terminal event is read). */
        public void touchInFlight(Instant at) {
            update("UPDATE scheduler.sync_state SET last_event_at = ?, updated_at = now() WHERE sync_id = ?",
                    Timestamp.from(at), slot.syncId());
        }

        /** Frees the sync. */
        public void clearInFlight() {
            update("UPDATE scheduler.sync_state SET in_flight_run_id = NULL, in_flight_since = NULL, updated_at = now() "
                    + "WHERE sync_id = ?", slot.syncId());
            slot = new SyncSlot(slot.syncId(), null, null, slot.queuedRunId(), slot.queuedTriggerJson());
        }

        /** Keeps a trigger queued (the one slot). */
        public void queue(String runId, String triggerJson) {
            update("UPDATE scheduler.sync_state SET queued_run_id = ?, queued_trigger = ?, updated_at = now() "
                    + "WHERE sync_id = ?", runId, triggerJson, slot.syncId());
            slot = new SyncSlot(slot.syncId(), slot.inFlightRunId(), slot.inFlightSince(), runId, triggerJson);
        }

        /** Empties the queue slot. */
        public void clearQueue() {
            update("UPDATE scheduler.sync_state SET queued_run_id = NULL, queued_trigger = NULL, updated_at = now() "
                    + "WHERE sync_id = ?", slot.syncId());
            slot = new SyncSlot(slot.syncId(), slot.inFlightRunId(), slot.inFlightSince(), null, null);
        }

        public void commit() {
            try {
                connection.commit();
                committed = true;
            } catch (SQLException e) {
                throw failure("commit", e);
            }
        }

        /** Rolls back anything not committed and returns the connection. */
        @Override
        public void close() {
            try {
                if (!committed) {
                    connection.rollback();
                }
                connection.close();
            } catch (SQLException e) {
                throw failure("close", e);
            }
        }

        private void update(String sql, Object... params) {
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    ps.setObject(i + 1, params[i]);
                }
                ps.executeUpdate();
            } catch (SQLException e) {
                throw failure("write", e);
            }
        }

        private SchedulerStoreException failure(String what, SQLException e) {
            return new SchedulerStoreException("cannot " + what + " the state of sync " + slot.syncId() + ": "
                    + e.getMessage(), e);
        }
    }
}
