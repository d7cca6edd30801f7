package dev.eddy.diff.service;

import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.text.SafeText;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The working state of runs in schema {@code diff}: the run rows, the planned changes awaiting an
 * outcome and the batches already handled (the keys seen are in {@link StagedKeys}). Every method works inside the caller's
 * transaction; every statement handles a whole batch (no row-by-row round trips).
 */
@ApplicationScoped
public class RunStore {

    /** Streams: which topic a handled batch came from. */
    public static final String ROWS = "rows";
    public static final String RESULTS = "results";

    private final StagedKeys keys;

    public RunStore(StagedKeys keys) {
        this.keys = keys;
    }

    /** Creates the run on its first batch (no-op if it exists). */
    public void ensureRun(Connection c, String runId, String syncId, long attempt, String specJson,
                          boolean fullResync, boolean resetCdc) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO diff.runs (run_id, sync_id, attempt, state, spec_json, full_resync, reset_cdc, started_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, now()) ON CONFLICT (run_id) DO NOTHING")) {
            ps.setString(1, runId);
            ps.setString(2, syncId);
            ps.setLong(3, attempt);
            ps.setString(4, Run.State.STAGING.name());
            ps.setString(5, specJson);
            ps.setBoolean(6, fullResync);
            ps.setBoolean(7, resetCdc);
            ps.executeUpdate();
        }
    }

    /** The run, locked for this transaction; null when unknown. */
    public Run lock(Connection c, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM diff.runs WHERE run_id = ? FOR UPDATE")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Timestamp started = rs.getTimestamp("started_at");
                return new Run(rs.getString("run_id"), rs.getString("sync_id"), rs.getLong("attempt"),
                        Run.State.valueOf(rs.getString("state")), rs.getString("spec_json"),
                        rs.getBoolean("full_resync"), rs.getBoolean("reset_cdc"),
                        (Long) rs.getObject("query_size"), strings(rs.getArray("columns")),
                        counts(rs, "planned_"), rs.getLong("unsent"), counts(rs, "ok_"), counts(rs, "failed_"),
                        rs.getLong("duplicate_count"), strings(rs.getArray("duplicates")),
                        started == null ? Instant.now() : started.toInstant());
            }
        }
    }

    /** A re-extraction supersedes what was staged: forget it and start over with the new attempt. */
    public void restart(Connection c, String runId, long attempt, String specJson, boolean fullResync,
                        boolean resetCdc) throws SQLException {
        discardWork(c, runId);
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE diff.runs SET attempt = ?, spec_json = ?, full_resync = ?, reset_cdc = ?, query_size = NULL,"
                        + " columns = NULL, duplicate_count = 0, duplicates = '{}' WHERE run_id = ?")) {
            ps.setLong(1, attempt);
            ps.setString(2, specJson);
            ps.setBoolean(3, fullResync);
            ps.setBoolean(4, resetCdc);
            ps.setString(5, runId);
            ps.executeUpdate();
        }
    }

    /** Records a batch as handled; false when it was handled before (a replay). */
    public boolean markDone(Connection c, String runId, String stream, int seq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO diff.done_batches (run_id, stream, seq) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, runId);
            ps.setString(2, stream);
            ps.setInt(3, seq);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Which ROWS batches of the current attempt are not staged, given the END marker's {@code seq = n}: the seqs
     * in {@code 0..n-1} never marked done (up to {@code limit} of them, lowest first, and how many in all), and how
     * many marked seqs lie beyond {@code n} (batches the END does not count). A re-extraction discards the marks of
     * the attempt before it ({@link #restart}), so every mark is of the current attempt.
     */
    public MissingBatches missingRowBatches(Connection c, String runId, int batches, int limit) throws SQLException {
        List<Integer> missing = new ArrayList<>();
        long missingCount = 0;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT s, count(*) OVER () FROM generate_series(0, ? - 1) s WHERE NOT EXISTS (SELECT 1 FROM"
                        + " diff.done_batches d WHERE d.run_id = ? AND d.stream = ? AND d.seq = s) ORDER BY s LIMIT ?")) {
            ps.setInt(1, batches);
            ps.setString(2, runId);
            ps.setString(3, ROWS);
            ps.setInt(4, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    missing.add(rs.getInt(1));
                    missingCount = rs.getLong(2);
                }
            }
        }
        long beyond;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM diff.done_batches WHERE run_id = ? AND stream = ? AND seq > ?")) {
            ps.setString(1, runId);
            ps.setString(2, ROWS);
            ps.setInt(3, batches);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                beyond = rs.getLong(1);
            }
        }
        return new MissingBatches(missing, missingCount, beyond);
    }

    /** The ROWS batches an END marker counts but the run never staged, and those it staged beyond the count. */
    public record MissingBatches(List<Integer> missing, long missingCount, long beyond) {
        public boolean complete() {
            return missingCount == 0 && beyond == 0;
        }
    }

    /**
     * Stores planned changes of one row batch in one statement. A key already pending in the run (a
     * duplicate key, which fails the run on its END marker) is left as it is.
     */
    public void addPending(Connection c, String runId, List<PlannedChange> changes) throws SQLException {
        if (changes.isEmpty()) {
            return;
        }
        String[] pks = new String[changes.size()];
        String[] ops = new String[changes.size()];
        byte[][] hashes = new byte[changes.size()][];
        String[] data = new String[changes.size()];
        for (int i = 0; i < pks.length; i++) {
            PlannedChange change = changes.get(i);
            pks[i] = change.pk();
            ops[i] = change.op().name();
            hashes[i] = change.hash();
            data[i] = change.data();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO diff.pending (run_id, pk, op, sent_as, hash, data) SELECT ?, u.pk, u.op, u.op, u.hash, u.data"
                        + " FROM unnest(?::text[], ?::text[], ?::bytea[], ?::text[]) AS u(pk, op, hash, data)"
                        + " ON CONFLICT (run_id, pk) DO NOTHING")) {
            ps.setString(1, runId);
            ps.setArray(2, c.createArrayOf("text", pks));
            ps.setArray(3, c.createArrayOf("text", ops));
            ps.setArray(4, c.createArrayOf("bytea", hashes));
            ps.setArray(5, c.createArrayOf("text", data));
            ps.executeUpdate();
        }
    }

    /**
     * Plans the removals: every snapshot key of the sync not seen in the run (its staged keys), in one statement.
     *
     * @param sentAs       the op they are sent as, or null when they are only counted
     * @param clearedTemplate for rows sent as cleared changes, the JSON object of null fields the key is added to
     */
    public void addRemovals(Connection c, Run run, ChangeOp sentAs, String keyColumn, String clearedTemplate)
            throws SQLException {
        String data = clearedTemplate == null ? "NULL" : "(?::jsonb || jsonb_build_object(?::text, s.pk))::text";
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO diff.pending (run_id, pk, op, sent_as, hash, data) SELECT ?, s.pk, 'REMOVED', ?, NULL, "
                        + data + " FROM diff.snapshot s WHERE s.sync_id = ? AND NOT EXISTS"
                        + " (SELECT 1 FROM " + StagedKeys.table(run.runId()) + " r WHERE r.pk = s.pk)")) {
            int i = 1;
            ps.setString(i++, run.runId());
            ps.setString(i++, sentAs == null ? null : sentAs.name());
            if (clearedTemplate != null) {
                ps.setString(i++, clearedTemplate);
                ps.setString(i++, keyColumn);
            }
            ps.setString(i, run.syncId());
            ps.executeUpdate();
        }
    }

    /** Planned changes per op, and how many of them are not sent. */
    public PlannedCounts plannedCounts(Connection c, String runId) throws SQLException {
        RowCounts planned = RowCounts.ZERO;
        long unsent = 0;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT op, sent_as IS NULL, count(*) FROM diff.pending WHERE run_id = ? GROUP BY 1, 2")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long n = rs.getLong(3);
                    planned = planned.plus(ChangeOp.valueOf(rs.getString(1)), n);
                    if (rs.getBoolean(2)) {
                        unsent += n;
                    }
                }
            }
        }
        return new PlannedCounts(planned, unsent);
    }

    /** Planned counts of a run: every planned change, and those only counted (not sent). */
    public record PlannedCounts(RowCounts planned, long unsent) {
        public long sent() {
            return planned.total() - unsent;
        }
    }

    /** Streams the changes to send in a stable order (op, then key), so a replay publishes the same batches. */
    public void forEachChangeToSend(Connection c, String runId, int fetchSize, ChangeConsumer consumer)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pk, sent_as, data FROM diff.pending WHERE run_id = ? AND sent_as IS NOT NULL"
                        + " ORDER BY sent_as, pk COLLATE \"C\"")) {
            ps.setFetchSize(fetchSize);
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    consumer.accept(rs.getString(1), ChangeOp.valueOf(rs.getString(2)), rs.getString(3));
                }
            }
        }
    }

    /** Receives one change to send. */
    @FunctionalInterface
    public interface ChangeConsumer {
        void accept(String pk, ChangeOp sentAs, String data) throws SQLException;
    }

    public void markDelivering(Connection c, String runId, Long querySize, List<String> columns,
                               PlannedCounts counts, int batches) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE diff.runs SET state = ?, query_size = ?, columns = ?, planned_added = ?, planned_changed = ?,"
                        + " planned_removed = ?, unsent = ?, change_batches = ? WHERE run_id = ?")) {
            ps.setString(1, Run.State.DELIVERING.name());
            ps.setObject(2, querySize);
            ps.setArray(3, columns == null ? null : c.createArrayOf("text", columns.toArray(String[]::new)));
            ps.setLong(4, counts.planned().added());
            ps.setLong(5, counts.planned().changed());
            ps.setLong(6, counts.planned().removed());
            ps.setLong(7, counts.unsent());
            ps.setInt(8, batches);
            ps.setString(9, runId);
            ps.executeUpdate();
        }
    }

    /**
     * Takes the outcomes' keys off the pending changes and answers each one's planned op, so the
     * caller counts by the op the row was planned as (a cleared row counts as a removal).
     */
    public Map<String, ChangeOp> resolvePending(Connection c, String runId, Collection<String> pks) throws SQLException {
        Map<String, ChangeOp> resolved = new HashMap<>(pks.size() * 2);
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM diff.pending WHERE run_id = ? AND pk = ANY(?) AND sent_as IS NOT NULL RETURNING pk, op")) {
            ps.setString(1, runId);
            ps.setArray(2, c.createArrayOf("text", pks.toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    resolved.put(rs.getString(1), ChangeOp.valueOf(rs.getString(2)));
                }
            }
        }
        return resolved;
    }

    /** Sent changes still without an outcome, per planned op. */
    public RowCounts unresolved(Connection c, String runId) throws SQLException {
        RowCounts counts = RowCounts.ZERO;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT op, count(*) FROM diff.pending WHERE run_id = ? AND sent_as IS NOT NULL GROUP BY op")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts = counts.plus(ChangeOp.valueOf(rs.getString(1)), rs.getLong(2));
                }
            }
        }
        return counts;
    }

    public void addOutcomes(Connection c, String runId, RowCounts ok, RowCounts failed) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE diff.runs SET ok_added = ok_added + ?, ok_changed = ok_changed + ?, ok_removed = ok_removed + ?,"
                        + " failed_added = failed_added + ?, failed_changed = failed_changed + ?,"
                        + " failed_removed = failed_removed + ? WHERE run_id = ?")) {
            ps.setLong(1, ok.added());
            ps.setLong(2, ok.changed());
            ps.setLong(3, ok.removed());
            ps.setLong(4, failed.added());
            ps.setLong(5, failed.changed());
            ps.setLong(6, failed.removed());
            ps.setString(7, runId);
            ps.executeUpdate();
        }
    }

    /** Marks the run finished with its final figures and drops its working rows. */
    public void finish(Connection c, Run run, String status, Long querySize, RowCounts planned, RowCounts ok,
                       RowCounts failed, String error, String errorCode, Instant finishedAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE diff.runs SET state = ?, status = ?, query_size = ?, planned_added = ?, planned_changed = ?,"
                        + " planned_removed = ?, ok_added = ?, ok_changed = ?, ok_removed = ?, failed_added = ?,"
                        + " failed_changed = ?, failed_removed = ?, error = ?, error_code = ?, finished_at = ?"
                        + " WHERE run_id = ?")) {
            int i = 1;
            ps.setString(i++, Run.State.FINISHED.name());
            ps.setString(i++, status);
            ps.setObject(i++, querySize);
            for (RowCounts counts : List.of(planned, ok, failed)) {
                ps.setLong(i++, counts.added());
                ps.setLong(i++, counts.changed());
                ps.setLong(i++, counts.removed());
            }
            ps.setString(i++, SafeText.forStorage(error, SafeText.ERROR_MAX_CHARS));
            ps.setString(i++, errorCode);
            ps.setTimestamp(i++, Timestamp.from(finishedAt));
            ps.setString(i, run.runId());
            ps.executeUpdate();
        }
        discardWork(c, run.runId());
    }

    private void discardWork(Connection c, String runId) throws SQLException {
        keys.drop(c, runId);
        for (String table : List.of("diff.pending", "diff.done_batches")) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE run_id = ?")) {
                ps.setString(1, runId);
                ps.executeUpdate();
            }
        }
    }

    private static RowCounts counts(ResultSet rs, String prefix) throws SQLException {
        return new RowCounts(rs.getLong(prefix + "added"), rs.getLong(prefix + "changed"), rs.getLong(prefix + "removed"));
    }

    private static List<String> strings(Array array) throws SQLException {
        return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
    }
}
