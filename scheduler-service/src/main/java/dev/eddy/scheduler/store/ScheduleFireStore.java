package dev.eddy.scheduler.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Per sync, the last schedule slot fired ({@code scheduler.schedule_fires}). A slot is claimed by a conditional
 * update ({@code last_slot < slot}) in the same transaction that publishes its trigger, so a slot is fired once
 * even when partition ownership moves between instances mid-tick, and a crash before the commit fires it again
 * with the same trigger id (which the run gate recognises).
 */
@ApplicationScoped
public class ScheduleFireStore {

    /** A sync's schedule state: the fingerprint of the schedule it belongs to and the last slot fired (or the baseline). */
    public record FireState(String fingerprint, Instant lastSlot) {
    }

    /** A slot due to fire. */
    public record Due(String syncId, String fingerprint, Instant slot) {
    }

    private final AgroalDataSource dataSource;

    public ScheduleFireStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void createSchema() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE IF NOT EXISTS scheduler.schedule_fires (
                        sync_id     text PRIMARY KEY,
                        fingerprint text NOT NULL,
                        last_slot   timestamptz NOT NULL,
                        fired_at    timestamptz
                    )""");
        } catch (SQLException e) {
            throw new SchedulerStoreException("the schedule table cannot be created: " + e.getMessage(), e);
        }
    }

    /**
     * The sync's state for {@code fingerprint}; when the row is missing or belongs to another form of the
     * schedule, the schedule starts afresh at {@code now} (no slot from before fires).
     */
    public FireState loadOrStart(String syncId, String fingerprint, Instant now) {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO scheduler.schedule_fires (sync_id, fingerprint, last_slot) VALUES (?, ?, ?)
                    ON CONFLICT (sync_id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, last_slot = EXCLUDED.last_slot
                    WHERE scheduler.schedule_fires.fingerprint IS DISTINCT FROM EXCLUDED.fingerprint""")) {
                ps.setString(1, syncId);
                ps.setString(2, fingerprint);
                ps.setTimestamp(3, Timestamp.from(now));
                ps.executeUpdate();
            }
            return load(c, syncId);
        } catch (SQLException e) {
            throw new SchedulerStoreException("the schedule state of sync " + syncId + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static FireState load(Connection c, String syncId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT fingerprint, last_slot FROM scheduler.schedule_fires WHERE sync_id = ?")) {
            ps.setString(1, syncId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new FireState(rs.getString(1), rs.getTimestamp(2).toInstant()) : null;
            }
        }
    }

    /** Claims the due slots not fired yet; publish their triggers, then {@link Claim#commit()}. */
    public Claim claim(List<Due> dues) {
        Connection c = null;
        try {
            c = dataSource.getConnection();
            c.setAutoCommit(false);
            Set<String> claimed = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE scheduler.schedule_fires f SET last_slot = d.slot, fired_at = now()
                    FROM unnest(?::text[], ?::text[], ?::timestamptz[]) AS d(sync_id, fingerprint, slot)
                    WHERE f.sync_id = d.sync_id AND f.fingerprint = d.fingerprint AND f.last_slot < d.slot
                    RETURNING f.sync_id""")) {
                Array ids = c.createArrayOf("text", dues.stream().map(Due::syncId).toArray());
                Array fingerprints = c.createArrayOf("text", dues.stream().map(Due::fingerprint).toArray());
                Array slots = c.createArrayOf("timestamptz", dues.stream().map(d -> Timestamp.from(d.slot())).toArray());
                ps.setArray(1, ids);
                ps.setArray(2, fingerprints);
                ps.setArray(3, slots);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        claimed.add(rs.getString(1));
                    }
                }
            }
            return new Claim(c, claimed);
        } catch (SQLException e) {
            if (c != null) {
                try {
                    c.rollback();
                    c.close();
                } catch (SQLException ignored) {
                    // the claim failure is what the caller reports
                }
            }
            throw new SchedulerStoreException("due schedule slots cannot be claimed: " + e.getMessage(), e);
        }
    }

    /** Reads the current state of a sync (after a slot was not claimed: another instance fired it). */
    public FireState current(String syncId) {
        try (Connection c = dataSource.getConnection()) {
            return load(c, syncId);
        } catch (SQLException e) {
            throw new SchedulerStoreException("the schedule state of sync " + syncId + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Claimed slots under an open transaction; nothing is kept unless committed. */
    public static final class Claim implements AutoCloseable {
        private final Connection connection;
        private final Set<String> claimed;
        private boolean committed;

        Claim(Connection connection, Set<String> claimed) {
            this.connection = connection;
            this.claimed = claimed;
        }

        /** The sync ids whose slot this claim holds. */
        public Set<String> claimed() {
            return claimed;
        }

        public void commit() {
            try {
                connection.commit();
                committed = true;
            } catch (SQLException e) {
                throw new SchedulerStoreException("claimed schedule slots cannot be committed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try {
                if (!committed) {
                    connection.rollback();
                }
                connection.close();
            } catch (SQLException e) {
                throw new SchedulerStoreException("a schedule claim cannot be closed: " + e.getMessage(), e);
            }
        }
    }
}
