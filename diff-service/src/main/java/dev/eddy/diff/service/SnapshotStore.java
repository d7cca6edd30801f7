package dev.eddy.diff.service;

import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Per sync, the primary key -> row hash of every row successfully delivered ({@code diff.snapshot}).
 * Every method works inside the caller's transaction, one statement per batch of keys.
 */
@ApplicationScoped
public class SnapshotStore {

    /** The delivered hashes of the given keys; a key never delivered is absent. */
    public Map<String, byte[]> hashes(Connection c, String syncId, String[] pks) throws SQLException {
        Map<String, byte[]> hashes = new HashMap<>(pks.length * 2);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pk, hash FROM diff.snapshot WHERE sync_id = ? AND pk = ANY(?)")) {
            ps.setString(1, syncId);
            ps.setArray(2, c.createArrayOf("text", pks));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    hashes.put(rs.getString(1), rs.getBytes(2));
                }
            }
        }
        return hashes;
    }

    /** Reset CDC: the sync's snapshot becomes the run's keys and hashes. */
    public void replaceWithRun(Connection c, String syncId, String runId) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM diff.snapshot WHERE sync_id = ?");
             PreparedStatement insert = c.prepareStatement(
                     "INSERT INTO diff.snapshot (sync_id, pk, hash) SELECT ?, pk, hash FROM " + StagedKeys.table(runId))) {
            delete.setString(1, syncId);
            delete.executeUpdate();
            insert.setString(1, syncId);
            insert.executeUpdate();
        }
    }

    /** Commits accepted rows: added and changed rows take their new hash, removals leave the snapshot. */
    public void commitAccepted(Connection c, String syncId, String runId, Collection<String> pks) throws SQLException {
        if (pks.isEmpty()) {
            return;
        }
        java.sql.Array keys = c.createArrayOf("text", pks.toArray(String[]::new));
        try (PreparedStatement upsert = c.prepareStatement(
                "INSERT INTO diff.snapshot (sync_id, pk, hash) SELECT ?, p.pk, p.hash FROM diff.pending p"
                        + " WHERE p.run_id = ? AND p.pk = ANY(?) AND p.op <> 'REMOVED' AND p.sent_as IS NOT NULL"
                        + " ON CONFLICT (sync_id, pk) DO UPDATE SET hash = EXCLUDED.hash");
             PreparedStatement delete = c.prepareStatement(
                     "DELETE FROM diff.snapshot s USING diff.pending p WHERE s.sync_id = ? AND p.run_id = ?"
                             + " AND p.pk = ANY(?) AND p.op = 'REMOVED' AND p.sent_as IS NOT NULL AND s.pk = p.pk")) {
            for (PreparedStatement ps : new PreparedStatement[] {upsert, delete}) {
                ps.setString(1, syncId);
                ps.setString(2, runId);
                ps.setArray(3, keys);
                ps.executeUpdate();
            }
        }
    }

    /** Removals that were only counted (delete behaviour do_nothing) stop being tracked. */
    public void dropUnsentRemovals(Connection c, String syncId, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM diff.snapshot s USING diff.pending p WHERE s.sync_id = ? AND p.run_id = ?"
                        + " AND p.sent_as IS NULL AND s.pk = p.pk")) {
            ps.setString(1, syncId);
            ps.setString(2, runId);
            ps.executeUpdate();
        }
    }
}
