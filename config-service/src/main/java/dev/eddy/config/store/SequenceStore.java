package dev.eddy.config.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.config.domain.Sequence;
import dev.eddy.config.domain.SequenceRun;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.eddy.config.store.CatalogStore.bind;
import static dev.eddy.config.store.CatalogStore.query;
import static dev.eddy.config.store.Database.instant;
import static dev.eddy.config.store.Database.json;
import static dev.eddy.config.store.Database.object;
import static dev.eddy.config.store.Database.ts;

/** Sync sequences ({@code config.sync_sequences}) and their runs ({@code config.sequence_runs}); caller's transaction. */
@ApplicationScoped
public class SequenceStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SEQUENCE = "id, name, slug, schedule, schedule_paused, steps, created_at, updated_at";
    private static final String RUN = "id, sequence_id, status, trigger, trigger_id, created_at, started_at, finished_at, error, steps";

    // ---- sequences

    public Sequence insert(Connection c, String name, String slug, ObjectNode schedule, boolean paused, ArrayNode steps)
            throws SQLException {
        Instant now = Instant.now();
        long id = CatalogStore.insert(c, "INSERT INTO config.sync_sequences(name, slug, schedule, schedule_paused, steps, "
                        + "created_at, updated_at) VALUES (?, ?, ?::jsonb, ?, ?::jsonb, ?, ?)",
                name, slug, json(schedule), paused, array(steps), ts(now), ts(now));
        return find(c, id).orElseThrow();
    }

    public Sequence update(Connection c, long id, String name, String slug, ObjectNode schedule, boolean paused, ArrayNode steps)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE config.sync_sequences SET name = ?, slug = ?, "
                + "schedule = ?::jsonb, schedule_paused = ?, steps = ?::jsonb, updated_at = ? WHERE id = ?")) {
            bind(ps, name, slug, json(schedule), paused, array(steps), ts(Instant.now()), id);
            ps.executeUpdate();
        }
        return find(c, id).orElseThrow();
    }

    public boolean delete(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM config.sync_sequences WHERE id = ?")) {
            bind(ps, id);
            return ps.executeUpdate() == 1;
        }
    }

    public Optional<Sequence> find(Connection c, long id) throws SQLException {
        return first(sequences(c, "SELECT " + SEQUENCE + " FROM config.sync_sequences WHERE id = ?", id));
    }

    /** The sequence, its row locked until the transaction ends (serializes its runs' state changes). */
    public Optional<Sequence> lock(Connection c, long id) throws SQLException {
        return first(sequences(c, "SELECT " + SEQUENCE + " FROM config.sync_sequences WHERE id = ? FOR UPDATE", id));
    }

    public List<Sequence> list(Connection c, String slug, int limit, int offset) throws SQLException {
        if (slug != null) {
            return sequences(c, "SELECT " + SEQUENCE + " FROM config.sync_sequences WHERE slug = ? ORDER BY id LIMIT ? OFFSET ?",
                    slug, limit, offset);
        }
        return sequences(c, "SELECT " + SEQUENCE + " FROM config.sync_sequences ORDER BY id LIMIT ? OFFSET ?", limit, offset);
    }

    /** Ids of the sequences with a step running this sync. */
    public List<Long> sequencesUsingSync(Connection c, long syncId) throws SQLException {
        ArrayNode probe = JsonNodeFactory.instance.arrayNode();
        probe.addObject().put("syncId", Long.toString(syncId));
        List<Long> ids = new ArrayList<>();
        try (ResultSet rs = query(c, "SELECT id FROM config.sync_sequences WHERE steps @> ?::jsonb ORDER BY id", array(probe))) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    // ---- runs

    public void insertRun(Connection c, SequenceRun run) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO config.sequence_runs(" + RUN
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)")) {
            bind(ps, run.id(), run.sequenceId(), run.status(), run.trigger(), run.triggerId(), ts(run.createdAt()),
                    ts(run.startedAt()), ts(run.finishedAt()), run.error(), array(run.steps()));
            ps.executeUpdate();
        }
    }

    public void updateRun(Connection c, SequenceRun run) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE config.sequence_runs SET status = ?, started_at = ?, "
                + "finished_at = ?, error = ?, steps = ?::jsonb WHERE id = ?")) {
            bind(ps, run.status(), ts(run.startedAt()), ts(run.finishedAt()), run.error(), array(run.steps()), run.id());
            ps.executeUpdate();
        }
    }

    public Optional<SequenceRun> findRun(Connection c, long id) throws SQLException {
        return first(runs(c, "SELECT " + RUN + " FROM config.sequence_runs WHERE id = ?", id));
    }

    public Optional<SequenceRun> findRunByTrigger(Connection c, String triggerId) throws SQLException {
        return first(runs(c, "SELECT " + RUN + " FROM config.sequence_runs WHERE trigger_id = ?", triggerId));
    }

    /** The sequence's runs, newest first. */
    public List<SequenceRun> runsOf(Connection c, long sequenceId, int limit, int offset) throws SQLException {
        return runs(c, "SELECT " + RUN + " FROM config.sequence_runs WHERE sequence_id = ? ORDER BY created_at DESC, id DESC "
                + "LIMIT ? OFFSET ?", sequenceId, limit, offset);
    }

    /** The sequence's pending and running runs, oldest first. */
    public List<SequenceRun> openRunsOf(Connection c, long sequenceId) throws SQLException {
        return runs(c, "SELECT " + RUN + " FROM config.sequence_runs WHERE sequence_id = ? AND status IN ('pending', 'running') "
                + "ORDER BY created_at, id", sequenceId);
    }

    /** Ids of the sequences with a pending or running run. */
    public List<Long> sequencesWithOpenRuns(Connection c) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (ResultSet rs = query(c, "SELECT DISTINCT sequence_id FROM config.sequence_runs WHERE status IN ('pending', 'running')")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    /** The sequence whose running run waits on this sync run, if any. */
    public Optional<Long> sequenceWaitingOn(Connection c, long syncRunId) throws SQLException {
        ArrayNode probe = JsonNodeFactory.instance.arrayNode();
        probe.addObject().put("syncRunId", Long.toString(syncRunId));
        try (ResultSet rs = query(c, "SELECT sequence_id FROM config.sequence_runs WHERE status = 'running' AND steps @> ?::jsonb "
                + "LIMIT 1", array(probe))) {
            return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
        }
    }

    // ---- plumbing

    private static List<Sequence> sequences(Connection c, String sql, Object... params) throws SQLException {
        List<Sequence> result = new ArrayList<>();
        try (ResultSet rs = query(c, sql, params)) {
            while (rs.next()) {
                result.add(new Sequence(rs.getLong(1), rs.getString(2), rs.getString(3), object(rs.getString(4)),
                        rs.getBoolean(5), arrayOf(rs.getString(6)), instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8))));
            }
        }
        return result;
    }

    private static List<SequenceRun> runs(Connection c, String sql, Object... params) throws SQLException {
        List<SequenceRun> result = new ArrayList<>();
        try (ResultSet rs = query(c, sql, params)) {
            while (rs.next()) {
                result.add(new SequenceRun(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8)),
                        rs.getString(9), arrayOf(rs.getString(10))));
            }
        }
        return result;
    }

    private static <T> Optional<T> first(List<T> list) {
        return list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
    }

    private static String array(ArrayNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static ArrayNode arrayOf(String json) {
        try {
            return (ArrayNode) JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }
}
