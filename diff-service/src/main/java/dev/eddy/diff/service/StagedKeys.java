package dev.eddy.diff.service;

import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The keys a run's result holds, one table per run ({@code diff.run_keys_<run>}): every row's key, its
 * position in the result ({@code ord}) and, under reset CDC, its hash. The table has no index, so staging
 * a batch is a plain append; duplicates and removals are found once per run, set-based, on the END marker,
 * and the table is dropped (not deleted row by row) when the run no longer needs it. Every method works
 * inside the caller's transaction, so a staged batch and its {@code done_batches} mark commit together.
 */
@ApplicationScoped
public class StagedKeys {

    /** A row's position in the result: batch seq in the high half, row index in the low half. */
    static long ord(int seq, int index) {
        return ((long) seq << 32) | index;
    }

    /** The run's key table, qualified; run ids are numeric, any other id is named by its digest. */
    public static String table(String runId) {
        if (runId.matches("[0-9]{1,40}")) {
            return "diff.run_keys_" + runId;
        }
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(runId.getBytes(StandardCharsets.UTF_8));
            return "diff.run_keys_" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is unavailable", e);
        }
    }

    /**
     * Creates the run's key table unless it exists. Keys an earlier version staged for the run in the shared
     * {@code diff.run_rows} are carried over, so a run staged across an upgrade still plans its removals right.
     */
    public void create(Connection c, String runId) throws SQLException {
        String table = table(runId);
        try (PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL, to_regclass('diff.run_rows') IS NOT NULL")) {
            exists.setString(1, table);
            boolean legacy;
            try (ResultSet rs = exists.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return;
                }
                legacy = rs.getBoolean(2);
            }
            try (Statement s = c.createStatement()) {
                // append-only and dropped with the run: autovacuum would only rescan it while it grows
                s.execute("CREATE TABLE IF NOT EXISTS " + table + " (ord bigint NOT NULL, pk text NOT NULL, hash bytea)"
                        + " WITH (autovacuum_enabled = false)");
            }
            if (legacy) {
                try (PreparedStatement carry = c.prepareStatement("INSERT INTO " + table
                        + " (ord, pk, hash) SELECT -1, pk, hash FROM diff.run_rows WHERE run_id = ?")) {
                    carry.setString(1, runId);
                    carry.executeUpdate();
                }
            }
        }
    }

    /** Drops the run's key table, if any (and the run's keys in the legacy table). */
    public void drop(Connection c, String runId) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table(runId));
        }
        try (PreparedStatement legacy = c.prepareStatement("SELECT to_regclass('diff.run_rows') IS NOT NULL");
             ResultSet rs = legacy.executeQuery()) {
            if (rs.next() && rs.getBoolean(1)) {
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM diff.run_rows WHERE run_id = ?")) {
                    delete.setString(1, runId);
                    delete.executeUpdate();
                }
            }
        }
    }

    /**
     * Appends one batch's keys (and hashes, when {@code keepHashes}) and, unless {@code syncId} is null,
     * compares them with the sync's snapshot in the same statement.
     *
     * @param syncId the sync whose snapshot the rows are compared with; null compares nothing
     * @return the rows whose hash differs from the snapshot's (or whose key is not in it), each as its index
     *         in the batch and the snapshot's hash (null for a key never delivered); empty when not compared
     */
    public List<Differing> stage(Connection c, String runId, int seq, String[] pks, byte[][] hashes,
                                 boolean keepHashes, String syncId) throws SQLException {
        String insert = "INSERT INTO " + table(runId) + " (ord, pk, hash) SELECT ? + u.i - 1, u.pk, "
                + (keepHashes ? "u.hash" : "NULL") + " FROM u";
        String sql = syncId == null
                ? "WITH u AS (SELECT * FROM unnest(?::text[], ?::bytea[]) WITH ORDINALITY AS u(pk, hash, i)) " + insert
                : "WITH u AS (SELECT * FROM unnest(?::text[], ?::bytea[]) WITH ORDINALITY AS u(pk, hash, i)),"
                + " staged AS (" + insert + ")"
                + " SELECT u.i, s.hash FROM u LEFT JOIN diff.snapshot s ON s.sync_id = ? AND s.pk = u.pk"
                + " WHERE s.hash IS DISTINCT FROM u.hash";
        List<Differing> differing = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", pks));
            ps.setArray(2, c.createArrayOf("bytea", hashes));
            ps.setLong(3, ord(seq, 0));
            if (syncId == null) {
                ps.executeUpdate();
                return differing;
            }
            ps.setString(4, syncId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    differing.add(new Differing(rs.getInt(1) - 1, rs.getBytes(2)));
                }
            }
        }
        return differing;
    }

    /** A staged row whose hash differs from the snapshot: its index in the batch, the delivered hash or null. */
    public record Differing(int index, byte[] deliveredHash) {
    }

    /**
     * The run's repeated keys: up to {@code limit} distinct values in the order they first occur, and how
     * many rows repeat a key seen before (a key present three times counts two).
     */
    public Duplicates duplicates(Connection c, String runId, int limit) throws SQLException {
        List<String> values = new ArrayList<>();
        long count = 0;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pk, sum(n - 1) OVER () FROM (SELECT pk, count(*) AS n, min(ord) AS first FROM " + table(runId)
                        + " GROUP BY pk HAVING count(*) > 1) d ORDER BY first LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                    count = rs.getLong(2);
                }
            }
        }
        return new Duplicates(values, count);
    }

    /** Repeated keys of a run (see {@link #duplicates}). */
    public record Duplicates(List<String> values, long count) {
    }
}
