package dev.eddy.config.store;

import dev.eddy.config.domain.RowCounts;
import dev.eddy.config.domain.Run;
import dev.eddy.contracts.text.SafeText;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.eddy.config.store.CatalogStore.bind;
import static dev.eddy.config.store.CatalogStore.query;
import static dev.eddy.config.store.Database.instant;
import static dev.eddy.config.store.Database.ts;

/** The run history in {@code config.runs}; every method works on the caller's transaction. */
@ApplicationScoped
public class RunStore {

    private static final String COLUMNS = "id, sync_id, status, created_at, started_at, finished_at, query_size, "
            + "planned_added, planned_changed, planned_removed, successful_added, successful_changed, successful_removed, "
            + "failed_added, failed_changed, failed_removed, completion_ratio, error, error_code, full_resync, trigger";

    /** Inserts the run unless a run with its id exists; true when inserted. */
    public boolean insertIfAbsent(Connection c, Run run) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO config.runs(" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING")) {
            bind(ps, values(run));
            return ps.executeUpdate() == 1;
        }
    }

    /** Writes every field of an existing run. */
    public void update(Connection c, Run run) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE config.runs SET (" + COLUMNS + ") = (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) WHERE id = ?")) {
            Object[] values = values(run);
            bind(ps, values);
            ps.setLong(values.length + 1, run.id());
            ps.executeUpdate();
        }
    }

    public Optional<Run> find(Connection c, long id) throws SQLException {
        return first(read(c, "SELECT " + COLUMNS + " FROM config.runs WHERE id = ?", id));
    }

    /** The run, its row locked until the transaction ends. */
    public Optional<Run> lock(Connection c, long id) throws SQLException {
        return first(read(c, "SELECT " + COLUMNS + " FROM config.runs WHERE id = ? FOR UPDATE", id));
    }

    /** The sync's oldest run still {@code queued}, if any. */
    public Optional<Run> findQueued(Connection c, long syncId) throws SQLException {
        return first(read(c, "SELECT " + COLUMNS + " FROM config.runs WHERE sync_id = ? AND status = 'queued' ORDER BY created_at, id LIMIT 1", syncId));
    }

    /**
     * The sync's last sign of life in the history: whether a run of it is under way ({@code querying},
     * {@code processing}, {@code reporting}) and the latest time any run of it was created, started or finished.
     */
    public Activity activity(Connection c, long syncId) throws SQLException {
        try (ResultSet rs = query(c, "SELECT coalesce(bool_or(status IN ('querying', 'processing', 'reporting')), false),"
                + " max(greatest(created_at, started_at, finished_at)) FROM config.runs WHERE sync_id = ?", syncId)) {
            rs.next();
            return new Activity(rs.getBoolean(1), instant(rs.getTimestamp(2)));
        }
    }

    /** See {@link #activity}; {@code latest} is null for a sync without runs. */
    public record Activity(boolean underWay, java.time.Instant latest) {
    }

    /** The sync's newest run, if any. */
    public Optional<Run> latest(Connection c, long syncId) throws SQLException {
        return first(list(c, syncId, null, 1, 0));
    }

    /** The sync's runs, newest first; {@code runId} narrows to one run when not null. */
    public List<Run> list(Connection c, long syncId, Long runId, int limit, int offset) throws SQLException {
        if (runId != null) {
            return read(c, "SELECT " + COLUMNS + " FROM config.runs WHERE sync_id = ? AND id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                    syncId, runId, limit, offset);
        }
        return read(c, "SELECT " + COLUMNS + " FROM config.runs WHERE sync_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                syncId, limit, offset);
    }

    /** The sync's runs that match the query. */
    public List<Run> list(Connection c, long syncId, RunQuery q) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM config.runs WHERE sync_id = ?");
        List<Object> params = new ArrayList<>();
        params.add(syncId);
        if (q.runId() != null) {
            sql.append(" AND id = ?");
            params.add(q.runId());
        }
        if (q.after() != null) {
            sql.append(" AND coalesce(started_at, created_at) > ?");
            params.add(ts(q.after()));
        }
        if (q.before() != null) {
            sql.append(" AND coalesce(started_at, created_at) < ?");
            params.add(ts(q.before()));
        }
        String order = switch (q.orderBy() == null ? "id" : q.orderBy()) {
            case "createdAt" -> "created_at DESC, id DESC";
            case "startedAt" -> "started_at DESC NULLS FIRST, id DESC";
            case "finishedAt" -> "finished_at DESC NULLS FIRST, id DESC";
            default -> "id DESC";
        };
        sql.append(" ORDER BY ").append(order).append(" LIMIT ? OFFSET ?");
        params.add(q.limit());
        params.add(q.offset());
        return read(c, sql.toString(), params.toArray());
    }

    private static List<Run> read(Connection c, String sql, Object... params) throws SQLException {
        List<Run> runs = new ArrayList<>();
        try (ResultSet rs = query(c, sql, params)) {
            while (rs.next()) {
                runs.add(new Run(rs.getLong(1), rs.getLong(2), rs.getString(3), instant(rs.getTimestamp(4)),
                        instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6)), (Long) rs.getObject(7),
                        counts(rs, 8), counts(rs, 11), counts(rs, 14), (Double) rs.getObject(17), rs.getString(18),
                        rs.getString(19), rs.getBoolean(20), rs.getString(21)));
            }
        }
        return runs;
    }

    private static RowCounts counts(ResultSet rs, int first) throws SQLException {
        Long added = (Long) rs.getObject(first);
        if (added == null) {
            return null;
        }
        return new RowCounts(added, rs.getLong(first + 1), rs.getLong(first + 2));
    }

    private static Object[] values(Run r) {
        return new Object[]{r.id(), r.syncId(), r.status(), ts(r.createdAt()), ts(r.startedAt()), ts(r.finishedAt()), r.querySize(),
                added(r.plannedRows()), changed(r.plannedRows()), removed(r.plannedRows()),
                added(r.successfulRows()), changed(r.successfulRows()), removed(r.successfulRows()),
                added(r.failedRows()), changed(r.failedRows()), removed(r.failedRows()),
                r.completionRatio(), SafeText.forStorage(r.error(), SafeText.ERROR_MAX_CHARS), r.errorCode(), r.fullResync(),
                r.trigger()};
    }

    private static Long added(RowCounts c) {
        return c == null ? null : c.addedCount();
    }

    private static Long changed(RowCounts c) {
        return c == null ? null : c.changedCount();
    }

    private static Long removed(RowCounts c) {
        return c == null ? null : c.removedCount();
    }

    private static <T> Optional<T> first(List<T> list) {
        return list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
    }
}
