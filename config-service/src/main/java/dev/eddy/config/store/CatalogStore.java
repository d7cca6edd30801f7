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

    public List<Source> listSources(Connection c, ListQuery q) throws SQLException {
        Clause w = clause(q, false);
        return listSources(c, w.sql, w.params.toArray());
    }

    public Source updateSource(Connection c, long id, String name, String slug, String type, ObjectNode configuration) throws SQLException {
        update(c, "UPDATE config.sources SET name = ?, slug = ?, type = ?, configuration = ?::jsonb, updated_at = ? WHERE id = ?",
                name, slug, type, json(configuration), ts(Instant.now()), id);
        return findSource(c, id).orElseThrow();
    }

    public boolean deleteSource(Connection c, long id) throws SQLException {
        return update(c, "DELETE FROM config.sources WHERE id = ?", id) == 1;
    }

    /** Ids of the models that read from the source. */
    public List<Long> modelIdsOfSource(Connection c, long sourceId) throws SQLException {
        return ids(c, "SELECT id FROM config.models WHERE source_id = ? ORDER BY id", sourceId);
    }

    /** Ids of the syncs whose model reads from the source. */
    public List<Long> syncIdsOfSource(Connection c, long sourceId) throws SQLException {
        return ids(c, "SELECT s.id FROM config.syncs s JOIN config.models m ON m.id = s.model_id WHERE m.source_id = ? ORDER BY s.id", sourceId);
    }

    private List<Source> listSources(Connection c, String where, Object... params) throws SQLException {
        List<Source> result = new ArrayList<>();
        try (ResultSet rs = query(c, "SELECT id, name, slug, type, configuration::text, created_at, updated_at FROM config.sources " + orderById(where), params)) {
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

    public List<Destination> listDestinations(Connection c, ListQuery q) throws SQLException {
        Clause w = clause(q, false);
        return listDestinations(c, w.sql, w.params.toArray());
    }

    public Destination updateDestination(Connection c, long id, String name, String slug, String type, ObjectNode configuration) throws SQLException {
        update(c, "UPDATE config.destinations SET name = ?, slug = ?, type = ?, configuration = ?::jsonb, updated_at = ? WHERE id = ?",
                name, slug, type, json(configuration), ts(Instant.now()), id);
        return findDestination(c, id).orElseThrow();
    }

    public boolean deleteDestination(Connection c, long id) throws SQLException {
        return update(c, "DELETE FROM config.destinations WHERE id = ?", id) == 1;
    }

    private List<Destination> listDestinations(Connection c, String where, Object... params) throws SQLException {
        List<Destination> result = new ArrayList<>();
        try (ResultSet rs = query(c, "SELECT id, name, slug, type, configuration::text, created_at, updated_at FROM config.destinations " + orderById(where), params)) {
            while (rs.next()) {
                result.add(new Destination(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), object(rs.getString(5)),
                        instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7))));
            }
        }
        return result;
    }

    /**
     * Rewrites only the configuration of a source or destination ({@code table} {@code sources} or {@code destinations}),
     * keeping {@code updated_at}: for changes of form, such as sealing a secret stored before it was named one.
     */
    public void replaceConfiguration(Connection c, String table, long id, ObjectNode configuration) throws SQLException {
        if (!table.equals("sources") && !table.equals("destinations")) {
            throw new IllegalArgumentException(table);
        }
        update(c, "UPDATE config." + table + " SET configuration = ?::jsonb WHERE id = ?", json(configuration), id);
    }

    // ---- models

    public Model insertModel(Connection c, String name, String slug, long sourceId, String queryType, String rawSql,
                             String tableName, String primaryKey) throws SQLException {
        return insertModel(c, name, slug, sourceId, queryType, rawSql, tableName, null, primaryKey, null);
    }

    public Model insertModel(Connection c, String name, String slug, long sourceId, String queryType, String rawSql,
                             String tableName, ObjectNode dbt, String primaryKey, ObjectNode tags) throws SQLException {
        Instant now = Instant.now();
        long id = insert(c, "INSERT INTO config.models(name, slug, source_id, query_type, raw_sql, table_name, dbt, primary_key, tags, created_at, updated_at) VALUES (?,?,?,?,?,?,?::jsonb,?,?::jsonb,?,?)",
                name, slug, sourceId, queryType, rawSql, tableName, dbt == null ? null : json(dbt), primaryKey,
                tags == null ? null : json(tags), ts(now), ts(now));
        return findModel(c, id).orElseThrow();
    }

    public Model updateModel(Connection c, long id, String name, String slug, long sourceId, String queryType, String rawSql,
                             String tableName, ObjectNode dbt, String primaryKey, ObjectNode tags) throws SQLException {
        update(c, "UPDATE config.models SET name = ?, slug = ?, source_id = ?, query_type = ?, raw_sql = ?, table_name = ?, dbt = ?::jsonb, primary_key = ?, tags = ?::jsonb, updated_at = ? WHERE id = ?",
                name, slug, sourceId, queryType, rawSql, tableName, dbt == null ? null : json(dbt), primaryKey,
                tags == null ? null : json(tags), ts(Instant.now()), id);
        return findModel(c, id).orElseThrow();
    }

    public boolean deleteModel(Connection c, long id) throws SQLException {
        return update(c, "DELETE FROM config.models WHERE id = ?", id) == 1;
    }

    public Optional<Model> findModel(Connection c, long id) throws SQLException {
        return first(listModels(c, "WHERE id = ?", id));
    }

    public List<Model> listModels(Connection c, Filter f) throws SQLException {
        return listModels(c, where(f), params(f));
    }

    public List<Model> listModels(Connection c, ListQuery q) throws SQLException {
        Clause w = clause(q, false);
        return listModels(c, w.sql, w.params.toArray());
    }

    /** The dbt models built from the dbt node with this unique id. */
    public List<Model> modelsOfDbtNode(Connection c, String uniqueId) throws SQLException {
        return listModels(c, "WHERE query_type = 'dbt_model' AND dbt->>'dbtUniqueId' = ? ORDER BY id", uniqueId);
    }

    private List<Model> listModels(Connection c, String where, Object... params) throws SQLException {
        List<Model> result = new ArrayList<>();
        try (ResultSet rs = query(c, "SELECT id, name, slug, source_id, query_type, raw_sql, table_name, dbt::text, primary_key, tags::text, created_at, updated_at FROM config.models " + orderById(where), params)) {
            while (rs.next()) {
                result.add(new Model(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5), rs.getString(6),
                        rs.getString(7), rs.getString(8) == null ? null : object(rs.getString(8)), rs.getString(9),
                        rs.getString(10) == null ? null : object(rs.getString(10)), instant(rs.getTimestamp(11)), instant(rs.getTimestamp(12))));
            }
        }
        return result;
    }

    // ---- syncs

    public Sync insertSync(Connection c, String slug, long modelId, long destinationId, boolean disabled,
                           ObjectNode schedule, ObjectNode configuration) throws SQLException {
        return insertSync(c, slug, modelId, destinationId, disabled, false, schedule, configuration);
    }

    public Sync insertSync(Connection c, String slug, long modelId, long destinationId, boolean disabled, boolean schedulePaused,
                           ObjectNode schedule, ObjectNode configuration) throws SQLException {
        Instant now = Instant.now();
        long id = insert(c, "INSERT INTO config.syncs(slug, model_id, destination_id, disabled, schedule_paused, schedule, configuration, created_at, updated_at) VALUES (?,?,?,?,?,?::jsonb,?::jsonb,?,?)",
                slug, modelId, destinationId, disabled, schedulePaused, json(schedule), json(configuration), ts(now), ts(now));
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

    public List<Sync> listSyncs(Connection c, ListQuery q) throws SQLException {
        Clause w = clause(q, true);
        return listSyncs(c, w.sql, w.params.toArray());
    }

    public Sync updateSync(Connection c, long id, String slug, long modelId, long destinationId, boolean disabled,
                           boolean schedulePaused, ObjectNode schedule, ObjectNode configuration) throws SQLException {
        update(c, "UPDATE config.syncs SET slug = ?, model_id = ?, destination_id = ?, disabled = ?, schedule_paused = ?, schedule = ?::jsonb, configuration = ?::jsonb, updated_at = ? WHERE id = ?",
                slug, modelId, destinationId, disabled, schedulePaused, json(schedule), json(configuration), ts(Instant.now()), id);
        return findSync(c, id).orElseThrow();
    }

    /** Deletes the sync and its run history. */
    public boolean deleteSync(Connection c, long id) throws SQLException {
        update(c, "DELETE FROM config.runs WHERE sync_id = ?", id);
        return update(c, "DELETE FROM config.syncs WHERE id = ?", id) == 1;
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
        String sql = "SELECT id, slug, model_id, destination_id, disabled, schedule::text, configuration::text, created_at, updated_at, schedule_paused FROM config.syncs ";
        boolean forUpdate = where.endsWith("FOR UPDATE");
        String clause = forUpdate ? where.substring(0, where.length() - "FOR UPDATE".length()) : where;
        try (ResultSet rs = query(c, sql + orderById(clause) + (forUpdate ? " FOR UPDATE" : ""), params)) {
            while (rs.next()) {
                result.add(new Sync(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getBoolean(5), rs.getBoolean(10),
                        object(rs.getString(6)), object(rs.getString(7)), instant(rs.getTimestamp(8)), instant(rs.getTimestamp(9))));
            }
        }
        return result;
    }

    /** True when a row of the table has the slug. */
    public boolean slugTaken(Connection c, String table, String slug) throws SQLException {
        return slugTaken(c, table, slug, -1);
    }

    /** True when a row of the table other than {@code exceptId} has the slug. */
    public boolean slugTaken(Connection c, String table, String slug, long exceptId) throws SQLException {
        if (!List.of("sources", "models", "destinations", "syncs").contains(table)) {
            throw new IllegalArgumentException(table);
        }
        try (ResultSet rs = query(c, "SELECT 1 FROM config." + table + " WHERE slug = ? AND id <> ?", slug, exceptId)) {
            return rs.next();
        }
    }

    // ---- dbt manifests

    /** Stores (or replaces) one dbt model node of an uploaded manifest, as Hightouch's dbt object. */
    public void upsertDbtNode(Connection c, String uniqueId, ObjectNode node) throws SQLException {
        update(c, "INSERT INTO config.dbt_nodes(unique_id, node, uploaded_at) VALUES (?,?::jsonb,?) "
                + "ON CONFLICT (unique_id) DO UPDATE SET node = EXCLUDED.node, uploaded_at = EXCLUDED.uploaded_at",
                uniqueId, json(node), ts(Instant.now()));
    }

    public Optional<ObjectNode> findDbtNode(Connection c, String uniqueId) throws SQLException {
        try (ResultSet rs = query(c, "SELECT node::text FROM config.dbt_nodes WHERE unique_id = ?", uniqueId)) {
            return rs.next() ? Optional.of(object(rs.getString(1))) : Optional.empty();
        }
    }

    // ---- plumbing

    private static final java.util.Map<String, String> ORDER = java.util.Map.of(
            "id", "id", "name", "name", "slug", "slug", "createdAt", "created_at", "updatedAt", "updated_at");

    private record Clause(String sql, List<Object> params) {
    }

    /** WHERE and ORDER BY ... LIMIT ... OFFSET ... of a list query; syncs have no name, so they order by slug. */
    private static Clause clause(ListQuery q, boolean syncs) {
        List<String> clauses = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (q.slug() != null) {
            clauses.add("slug = ?");
            params.add(q.slug());
        }
        if (q.name() != null && !syncs) {
            clauses.add("name = ?");
            params.add(q.name());
        }
        if (q.modelId() != null && syncs) {
            clauses.add("model_id = ?");
            params.add(q.modelId());
        }
        if (q.after() != null && syncs) {
            clauses.add("EXISTS (SELECT 1 FROM config.runs r WHERE r.sync_id = config.syncs.id AND coalesce(r.started_at, r.created_at) > ?)");
            params.add(ts(q.after()));
        }
        if (q.before() != null && syncs) {
            clauses.add("EXISTS (SELECT 1 FROM config.runs r WHERE r.sync_id = config.syncs.id AND coalesce(r.started_at, r.created_at) < ?)");
            params.add(ts(q.before()));
        }
        String column = ORDER.getOrDefault(q.orderBy() == null ? "id" : q.orderBy(), "id");
        if (syncs && column.equals("name")) {
            column = "slug";
        }
        String sql = (clauses.isEmpty() ? "" : "WHERE " + String.join(" AND ", clauses))
                + " ORDER BY " + column + (column.equals("id") ? "" : ", id")
                + " LIMIT " + Math.max(0, q.limit()) + " OFFSET " + Math.max(0, q.offset());
        return new Clause(sql, params);
    }

    /** Adds the default order unless the clause already orders. */
    private static String orderById(String where) {
        return where.contains("ORDER BY") ? where : where + " ORDER BY id";
    }

    private static List<Long> ids(Connection c, String sql, Object... params) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (ResultSet rs = query(c, sql, params)) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            return ps.executeUpdate();
        }
    }

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
