package dev.eddy.config.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.config.domain.Destination;
import dev.eddy.config.domain.Model;
import dev.eddy.config.domain.Source;
import dev.eddy.config.domain.Sync;
import dev.eddy.config.store.CatalogStore;
import dev.eddy.config.store.CatalogStore.Filter;
import dev.eddy.config.store.Database;
import dev.eddy.config.store.RunStore;
import dev.eddy.contracts.secrets.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Creates and reads sources, models, destinations and syncs: validates request bodies (every problem
 * at once), seals secret configuration fields before they are stored.
 */
@ApplicationScoped
public class Catalog {

    static final Set<String> SOURCE_TYPES = Set.of("postgres");
    static final Set<String> DESTINATION_TYPES = Set.of("webhook");
    static final Set<String> QUERY_TYPES = Set.of(Model.RAW_SQL, Model.TABLE);
    static final Set<String> MODES = Set.of("upsert", "insert", "update");
    static final Set<String> DELETE_BEHAVIORS = Set.of("do_nothing", "clear_fields", "delete");
    static final Set<String> MAPPING_TYPES = Set.of("standard", "static", "variable", "template");
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*){0,2}");

    private final Database db;
    private final CatalogStore store;
    private final RunStore runs;
    private final SecretBox secrets;

    public Catalog(Database db, CatalogStore store, RunStore runs, SecretBox secrets) {
        this.db = db;
        this.store = store;
        this.runs = runs;
        this.secrets = secrets;
    }

    /** Parses a path id; anything that is not a number names no object. */
    public static long parseId(String kind, String id) {
        if (id == null || !id.matches("\\d{1,18}")) {
            throw new UnknownObjectException(kind, id);
        }
        return Long.parseLong(id);
    }

    // ---- sources

    public Source createSource(JsonNode body) {
        FieldProblems p = new FieldProblems();
        String name = p.requireText(body, "name", "name");
        String slug = p.requireText(body, "slug", "slug");
        String type = p.requireText(body, "type", "type");
        if (type != null && !SOURCE_TYPES.contains(type)) {
            p.add("type", "unknown source type '" + type + "'; supported: " + String.join(", ", SOURCE_TYPES));
        }
        ObjectNode configuration = p.object(body, "configuration", "configuration", true);
        if (configuration != null && "postgres".equals(type)) {
            p.requireText(configuration, "host", "configuration.host");
            p.requireText(configuration, "database", "configuration.database");
            p.requireText(configuration, "user", "configuration.user");
            JsonNode port = configuration.get("port");
            if (port != null && !port.isNull() && !validPort(port)) {
                p.add("configuration.port", "must be a port number (1-65535)");
            }
        }
        ObjectNode sealed = configuration == null ? null : secrets.sealSecrets(configuration.deepCopy());
        return db.inTransaction(c -> {
            checkSlug(c, p, "sources", slug);
            p.throwIfAny();
            return uniqueSlug(() -> store.insertSource(c, name, slug, type, sealed));
        });
    }

    public Source source(String id) {
        long key = parseId("source", id);
        return db.inTransaction(c -> store.findSource(c, key)).orElseThrow(() -> new UnknownObjectException("source", id));
    }

    public List<Source> sources(Filter filter) {
        return db.inTransaction(c -> store.listSources(c, filter));
    }

    // ---- destinations

    public DestinationDetails createDestination(JsonNode body) {
        FieldProblems p = new FieldProblems();
        String name = p.requireText(body, "name", "name");
        String slug = p.requireText(body, "slug", "slug");
        String type = p.requireText(body, "type", "type");
        if (type != null && !DESTINATION_TYPES.contains(type)) {
            p.add("type", "unknown destination type '" + type + "'; supported: " + String.join(", ", DESTINATION_TYPES));
        }
        ObjectNode configuration = p.object(body, "configuration", "configuration", true);
        if (configuration != null && "webhook".equals(type)) {
            String url = p.requireText(configuration, "url", "configuration.url");
            if (url != null && !validHttpUrl(url)) {
                p.add("configuration.url", "must be an http or https URL");
            }
            ObjectNode headers = p.object(configuration, "headers", "configuration.headers", false);
            if (headers != null) {
                headers.fields().forEachRemaining(h -> {
                    if (!h.getValue().isTextual()) {
                        p.add("configuration.headers." + h.getKey(), "must be a string");
                    }
                });
            }
        }
        ObjectNode sealed = configuration == null ? null : secrets.sealSecrets(configuration.deepCopy());
        return db.inTransaction(c -> {
            checkSlug(c, p, "destinations", slug);
            p.throwIfAny();
            return new DestinationDetails(uniqueSlug(() -> store.insertDestination(c, name, slug, type, sealed)), List.of());
        });
    }

    public DestinationDetails destination(String id) {
        long key = parseId("destination", id);
        return db.inTransaction(c -> {
            Destination d = store.findDestination(c, key).orElseThrow(() -> new UnknownObjectException("destination", id));
            return new DestinationDetails(d, store.syncIdsOf(c, "destination_id", d.id()));
        });
    }

    public List<DestinationDetails> destinations(Filter filter) {
        return db.inTransaction(c -> {
            List<DestinationDetails> result = new ArrayList<>();
            for (Destination d : store.listDestinations(c, filter)) {
                result.add(new DestinationDetails(d, store.syncIdsOf(c, "destination_id", d.id())));
            }
            return result;
        });
    }

    // ---- models

    public ModelDetails createModel(JsonNode body) {
        FieldProblems p = new FieldProblems();
        String name = p.requireText(body, "name", "name");
        String slug = p.requireText(body, "slug", "slug");
        String primaryKey = p.requireText(body, "primaryKey", "primaryKey");
        Long sourceId = p.requireId(body, "sourceId", "sourceId");
        String queryType = p.optionalText(body, "queryType", "queryType");
        if (queryType == null && !p.has("queryType")) {
            queryType = body != null && body.has("table") && !body.has("raw") ? Model.TABLE : Model.RAW_SQL;
        }
        String rawSql = null;
        String tableName = null;
        if (queryType != null && !QUERY_TYPES.contains(queryType)) {
            p.add("queryType", "unknown query type '" + queryType + "'; supported: " + String.join(", ", QUERY_TYPES));
        } else if (Model.RAW_SQL.equals(queryType)) {
            ObjectNode raw = p.object(body, "raw", "raw", true);
            if (raw != null) {
                rawSql = p.requireText(raw, "sql", "raw.sql");
            } else if (p.has("raw")) {
                p.add("raw.sql", "is required");
            }
        } else if (Model.TABLE.equals(queryType)) {
            ObjectNode table = p.object(body, "table", "table", true);
            if (table != null) {
                tableName = p.requireText(table, "name", "table.name");
                if (tableName != null && !TABLE_NAME.matcher(tableName).matches()) {
                    p.add("table.name", "must be a table name such as customers or analytics.customers");
                }
            }
        }
        String type = queryType;
        String sql = rawSql;
        String table = tableName;
        return db.inTransaction(c -> {
            if (sourceId != null && store.findSource(c, sourceId).isEmpty()) {
                p.add("sourceId", "no source with id " + sourceId);
            }
            checkSlug(c, p, "models", slug);
            p.throwIfAny();
            Model model = uniqueSlug(() -> store.insertModel(c, name, slug, sourceId, type, sql, table, primaryKey));
            return new ModelDetails(model, List.of());
        });
    }

    public ModelDetails model(String id) {
        long key = parseId("model", id);
        return db.inTransaction(c -> {
            Model m = store.findModel(c, key).orElseThrow(() -> new UnknownObjectException("model", id));
            return new ModelDetails(m, store.syncIdsOf(c, "model_id", m.id()));
        });
    }

    public List<ModelDetails> models(Filter filter) {
        return db.inTransaction(c -> {
            List<ModelDetails> result = new ArrayList<>();
            for (Model m : store.listModels(c, filter)) {
                result.add(new ModelDetails(m, store.syncIdsOf(c, "model_id", m.id())));
            }
            return result;
        });
    }

    // ---- syncs

    public SyncDetails createSync(JsonNode body) {
        FieldProblems p = new FieldProblems();
        String slug = p.requireText(body, "slug", "slug");
        Long modelId = p.requireId(body, "modelId", "modelId");
        Long destinationId = p.requireId(body, "destinationId", "destinationId");
        boolean disabled = p.optionalBoolean(body, "disabled", "disabled", false);
        ObjectNode schedule = p.object(body, "schedule", "schedule", false);
        if (schedule == null) {
            schedule = JsonNodeFactory.instance.objectNode().put("type", "manual");
        } else {
            schedule = schedule.deepCopy();
            p.requireText(schedule, "type", "schedule.type");
        }
        if (!schedule.has("schedule")) {
            schedule.putNull("schedule");
        }
        ObjectNode configuration = p.object(body, "configuration", "configuration", false);
        configuration = configuration == null ? JsonNodeFactory.instance.objectNode() : configuration.deepCopy();
        validateSyncConfiguration(configuration, p);
        ObjectNode finalSchedule = schedule;
        ObjectNode finalConfiguration = configuration;
        return db.inTransaction(c -> {
            Model model = null;
            if (modelId != null) {
                model = store.findModel(c, modelId).orElse(null);
                if (model == null) {
                    p.add("modelId", "no model with id " + modelId);
                }
            }
            if (destinationId != null && store.findDestination(c, destinationId).isEmpty()) {
                p.add("destinationId", "no destination with id " + destinationId);
            }
            checkSlug(c, p, "syncs", slug);
            p.throwIfAny();
            Sync sync = uniqueSlug(() -> store.insertSync(c, slug, modelId, destinationId, disabled, finalSchedule, finalConfiguration));
            return new SyncDetails(sync, model, Optional.empty());
        });
    }

    public SyncDetails sync(String id) {
        long key = parseId("sync", id);
        return db.inTransaction(c -> details(c, store.findSync(c, key).orElseThrow(() -> new UnknownObjectException("sync", id))));
    }

    public List<SyncDetails> syncs(Filter filter) {
        return db.inTransaction(c -> {
            List<SyncDetails> result = new ArrayList<>();
            for (Sync s : store.listSyncs(c, filter)) {
                result.add(details(c, s));
            }
            return result;
        });
    }

    private SyncDetails details(Connection c, Sync sync) throws SQLException {
        return new SyncDetails(sync, store.findModel(c, sync.modelId()).orElse(null), runs.latest(c, sync.id()));
    }

    private static void validateSyncConfiguration(ObjectNode configuration, FieldProblems p) {
        String mode = p.optionalText(configuration, "mode", "configuration.mode");
        if (mode != null && !MODES.contains(mode)) {
            p.add("configuration.mode", "must be one of " + String.join(", ", MODES.stream().sorted().toList()));
        }
        String deleteBehavior = p.optionalText(configuration, "deleteBehavior", "configuration.deleteBehavior");
        if (deleteBehavior != null && !DELETE_BEHAVIORS.contains(deleteBehavior)) {
            p.add("configuration.deleteBehavior", "must be one of " + String.join(", ", DELETE_BEHAVIORS.stream().sorted().toList()));
        }
        JsonNode mappings = configuration.get("mappings");
        if (mappings == null || mappings.isNull()) {
            return;
        }
        if (!mappings.isArray()) {
            p.add("configuration.mappings", "must be an array");
            return;
        }
        for (int i = 0; i < mappings.size(); i++) {
            JsonNode m = mappings.get(i);
            String path = "configuration.mappings[" + i + "]";
            if (!m.isObject()) {
                p.add(path, "must be an object");
                continue;
            }
            String type = p.optionalText(m, "type", path + ".type");
            if (type != null && !MAPPING_TYPES.contains(type)) {
                p.add(path + ".type", "must be one of " + String.join(", ", MAPPING_TYPES.stream().sorted().toList()));
            }
            if (type == null || "standard".equals(type)) {
                p.requireText(m, "from", path + ".from");
            }
            p.requireText(m, "to", path + ".to");
        }
    }

    // ---- plumbing

    private void checkSlug(Connection c, FieldProblems p, String table, String slug) throws SQLException {
        if (slug != null && store.slugTaken(c, table, slug)) {
            p.add("slug", "slug '" + slug + "' is already used");
        }
    }

    /** An insert that lost a race for its slug becomes the same 422 as a slug checked up front. */
    private static <T> T uniqueSlug(Insert<T> insert) throws SQLException {
        try {
            return insert.run();
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw ValidationException.of("slug", "slug is already used");
            }
            throw e;
        }
    }

    private static boolean validPort(JsonNode port) {
        long value = port.isIntegralNumber() ? port.asLong() : port.isTextual() && port.asText().matches("\\d{1,5}") ? Long.parseLong(port.asText()) : -1;
        return value >= 1 && value <= 65535;
    }

    private static boolean validHttpUrl(String url) {
        try {
            URI uri = URI.create(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @FunctionalInterface
    private interface Insert<T> {
        T run() throws SQLException;
    }
}
