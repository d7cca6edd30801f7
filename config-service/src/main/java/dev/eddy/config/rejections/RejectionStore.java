package dev.eddy.config.rejections;

import dev.eddy.config.store.ConfigSchema;
import dev.eddy.contracts.text.SafeText;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-row rejections of runs ({@code config.run_rejections}): the rows a destination rejected or delivery could
 * not deliver, with their reasons. Idempotent: a replayed delivery result overwrites the same rows.
 */
@ApplicationScoped
public class RejectionStore {

    /** One rejected or failed row of a run. */
    public record Rejection(long syncId, long runId, int seq, int position, String primaryKey, String op,
                            String status, String reason) {
    }

    private final AgroalDataSource dataSource;

    public RejectionStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    void onStart(@Observes @Priority(ConfigSchema.STARTUP_PRIORITY + 5) StartupEvent event) {
        ConfigSchema.apply(dataSource, "config.run_rejections", """
                CREATE TABLE IF NOT EXISTS config.run_rejections (
                  run_id bigint NOT NULL, sync_id bigint NOT NULL, seq int NOT NULL, position int NOT NULL,
                  primary_key text NOT NULL, op text NOT NULL, status text NOT NULL, reason text,
                  PRIMARY KEY (run_id, seq, position))""");
    }

    /** Stores the rows, one statement for all of them. */
    public void save(List<Rejection> rejections) throws SQLException {
        if (rejections.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement("""
                INSERT INTO config.run_rejections (run_id, sync_id, seq, position, primary_key, op, status, reason)
                SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::int[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[])
                ON CONFLICT (run_id, seq, position) DO UPDATE
                SET primary_key = EXCLUDED.primary_key, op = EXCLUDED.op, status = EXCLUDED.status, reason = EXCLUDED.reason""")) {
            insert.setArray(1, c.createArrayOf("bigint", rejections.stream().map(Rejection::runId).toArray()));
            insert.setArray(2, c.createArrayOf("bigint", rejections.stream().map(Rejection::syncId).toArray()));
            insert.setArray(3, c.createArrayOf("integer", rejections.stream().map(Rejection::seq).toArray()));
            insert.setArray(4, c.createArrayOf("integer", rejections.stream().map(Rejection::position).toArray()));
            insert.setArray(5, c.createArrayOf("text", rejections.stream().map(Rejection::primaryKey).toArray()));
            insert.setArray(6, c.createArrayOf("text", rejections.stream().map(Rejection::op).toArray()));
            insert.setArray(7, c.createArrayOf("text", rejections.stream().map(Rejection::status).toArray()));
            // a destination's answer may hold any bytes at any length: stored bounded and without NUL
            insert.setArray(8, c.createArrayOf("text", rejections.stream()
                    .map(r -> SafeText.forStorage(r.reason(), SafeText.REASON_MAX_CHARS)).toArray()));
            insert.executeUpdate();
        }
    }

    /** A page of a run's rejections in delivery order. */
    public List<Rejection> page(long syncId, long runId, int limit, int offset) throws SQLException {
        List<Rejection> page = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement query = c.prepareStatement("""
                SELECT sync_id, run_id, seq, position, primary_key, op, status, reason FROM config.run_rejections
                WHERE run_id = ? AND sync_id = ? ORDER BY seq, position LIMIT ? OFFSET ?""")) {
            query.setLong(1, runId);
            query.setLong(2, syncId);
            query.setInt(3, limit);
            query.setInt(4, offset);
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    page.add(new Rejection(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getInt(4), rs.getString(5),
                            rs.getString(6), rs.getString(7), rs.getString(8)));
                }
            }
        }
        return page;
    }
}
