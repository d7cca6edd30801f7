package dev.eddy.config.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.config.domain.Destination;
import dev.eddy.config.domain.Model;
import dev.eddy.config.domain.Source;
import dev.eddy.config.domain.Sync;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.eddy.config.store.Database.instant;
import static dev.eddy.config.store.Database.json;
import static dev.eddy.config.store.Database.object;
import static dev.eddy.config.store.Database.ts;

/** Sources, models, destinations and syncs in schema {@code config}; every method works on the caller's transaction. */
@ApplicationScoped
public class CatalogStore {

    /** Filters of a list; null fields do not filter. */
    public record Filter(String slug, String name) {
        public static final Filter NONE = new Filter(null, null);
    }

    // ---- sources

    public Source insertSource(Connection c, String name, String slug, String type, ObjectNode configuration) throws SQLException {
        Instant now = Instant.now();
        long id = insert(c, "INSERT INTO config.sources(name, slug, type, configuration, created_at, updated_at) VALUES (?,?,?,?::jsonb,?,?)",
                name, slug, type, json(configuration), ts(now), ts(now));
        return findSource(c, id).orElseThrow();
    }

    public Optional<Source> findSource(Connection c, long id) throws SQLException {
        return first(listSources(c, "WHERE id = ?", id));
    }

    public List<Source> listSources(Connection c, Filter f) throws SQLException {
        return listSources(c, where(f), params(f));
    }

    private List<Source> listSources(Connection c, String where, Object... params) throws SQLException {
        List<Source> result = new ArrayList<>();
        try (ResultSet rs = query(c, "SELECT id, name, slug, type, configuration::text, created_at, updated_at FROM config.sources " + where + " ORDER BY id", params)) {
            while (rs.next()) {
                result.add(new Source(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), object(rs.getString(5)),
                        instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7))));
            }
        }
        return result;
    }

    // ---- destinations

    public Destination insertDestination(Connection c, String name, String slug, String type, ObjectNode configuration) throws SQLException {
        Instant now = Instant.now();
        long id = insert(c, "INSERT INTO config.destinations(name, slug, type, configuration, created_at, updated_at) VALUES (?,?,?,?::jsonb,?,?)",
                name, slug, type, json(configuration), ts(now), ts(now));
        return findDestination(c, id).orElseThrow();
    }

    public Optional<Destination> findDestination(Connection c, long id) throws SQLException {
        return first(listDestinations(c, "WHERE id = ?", id));
    }

    public List<Destination> listDestinations(Connection c, Filter f) throws SQLException {
        return listDestinations(c, where(f), params(f));
    }

    private List<Destination> listDestinations(Connection c, String where, Object... params) throws SQLException {
        List<Destination> result = new ArrayList<>();
        try (ResultSet rs = query(c, "SELECT id, name, slug, type, configuration::text, created_at, updated_at FROM config.destinations " + where + " ORDER BY id", params)) {
            while (rs.next()) {
                result.add(new Destination(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), object(rs.getString(5)),
                        instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7))));
            }
        }
        return result;
    }

    // ---- models

    public Model insertModel(Connection c, String name, String slug, long sourceId, String queryType, String rawSql,
                             String tableName, String primaryKey) throws SQLException {
        Instant now = Instant.now();
        long id = insert(c, "INSERT INTO config.models(name, slug, source_id, query_type, raw_sql, table_name, primary_key, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                name, slug, sourceId, queryType, rawSql, tableName, primaryKey, ts(now), ts(now));
        return findModel(c, id).orElseThrow();
    }

    public Optional<Model> findModel(Connection c, long id) throws SQLException {
        return first(listModels(c, "WHERE id = ?", id));
    }

    public List<Model> listModels(Connection c, Filter f) throws SQLException {
        return listModels(c, where(f), params(f));
    }

    private List<Model> listModels(Connection c, String where, Object... params) throws SQLException {
        List<Model> result = new ArrayList<>();
        try (ResultSet rs = query(c, "SELECT id, name, slug, source_id, query_type, raw_sql, table_name, primary_key, created_at, updated_at FROM config.models " + where + " ORDER BY id", params)) {
            while (rs.next()) {
                result.add(new Model(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5), rs.getString(6),
                        rs.getString(7), rs.getString(8), instant(rs.getTimestamp(9)), instant(rs.getTimestamp(10))));
            }
        }
        return result;
    }

    // ---- syncs

    public Sync insertSync(Connection c, String slug, long modelId, long destinationId, boolean disabled,
                           ObjectNode schedule, ObjectNode configuration) throws SQLException {
        Instant now = Instant.now();
        long id = insert(c, "INSERT INTO config.syncs(slug, model_id, destination_id, disabled, schedule, configuration, created_at, updated_at) VALUES (?,?,?,?,?::jsonb,?::jsonb,?,?)",
                slug, modelId, destinationId, disabled, json(schedule), json(configuration), ts(now), ts(now));
        return findSync(c, id).orElseThrow();
    }

    public Optional<Sync> findSync(Connection c, long id) throws SQLException {
        return first(listSyncs(c, "WHERE id = ?", id));
    }

    /** Finds the sync and locks its row until the transaction ends, so triggers of one sync are serialized. */
    public Optional<Sync> lockSync(Connection c, long id) throws SQLException {
        return first(listSyncs(c, "WHERE id = ? FOR UPDATE", id));
    }

    public Optional<Sync> findSyncBySlug(Connection c, String slug) throws SQLException {
        return first(listSyncs(c, "WHERE slug = ?", slug));
    }

    public List<Sync> listSyncs(Connection c, Filter f) throws SQLException {
        return listSyncs(c, where(new Filter(f.slug(), null)), params(new Filter(f.slug(), null)));
    }

    /** Ids of the syncs whose column {@code model_id} or {@code destination_id} is the given id. */
    public List<Long> syncIdsOf(Connection c, String column, long id) throws SQLException {
        if (!column.equals("model_id") && !column.equals("destination_id")) {
            throw new IllegalArgumentException(column);
        }
        List<Long> ids = new ArrayList<>();
        try (ResultSet rs = query(c, "SELECT id FROM config.syncs WHERE " + column + " = ? ORDER BY id", id)) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    private List<Sync> listSyncs(Connection c, String where, Object... params) throws SQLException {
        List<Sync> result = new ArrayList<>();
        String sql = "SELECT id, slug, model_id, destination_id, disabled, schedule::text, configuration::text, created_at, updated_at FROM config.syncs ";
        boolean forUpdate = where.endsWith("FOR UPDATE");
        String clause = forUpdate ? where.substring(0, where.length() - "FOR UPDATE".length()) : where;
        try (ResultSet rs = query(c, sql + clause + " ORDER BY id" + (forUpdate ? " FOR UPDATE" : ""), params)) {
            while (rs.next()) {
                result.add(new Sync(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getBoolean(5),
                        object(rs.getString(6)), object(rs.getString(7)), instant(rs.getTimestamp(8)), instant(rs.getTimestamp(9))));
            }
        }
        return result;
    }

    /** True when a row of the table has the slug. */
    public boolean slugTaken(Connection c, String table, String slug) throws SQLException {
        if (!List.of("sources", "models", "destinations", "syncs").contains(table)) {
            throw new IllegalArgumentException(table);
        }
        try (ResultSet rs = query(c, "SELECT 1 FROM config." + table + " WHERE slug = ?", slug)) {
            return rs.next();
        }
    }

    // ---- plumbing

    private static String where(Filter f) {
        List<String> clauses = new ArrayList<>();
        if (f.slug() != null) {
            clauses.add("slug = ?");
        }
        if (f.name() != null) {
            clauses.add("name = ?");
        }
        return clauses.isEmpty() ? "" : "WHERE " + String.join(" AND ", clauses);
    }

    private static Object[] params(Filter f) {
        List<Object> params = new ArrayList<>();
        if (f.slug() != null) {
            params.add(f.slug());
        }
        if (f.name() != null) {
            params.add(f.name());
        }
        return params.toArray();
    }

    private static <T> Optional<T> first(List<T> list) {
        return list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
    }

    static ResultSet query(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        bind(ps, params);
        ps.closeOnCompletion();
        return ps.executeQuery();
    }

    static long insert(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            bind(ps, params);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong("id");
            }
        }
    }

    static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
    }
}
