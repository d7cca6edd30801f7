package dev.eddy.config.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.config.store.CatalogStore;
import dev.eddy.config.store.Database;
import dev.eddy.contracts.validation.KnownKeys;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * dbt {@code manifest.json} uploads: keeps each model node ({@code model.<package>.<name>}) as Hightouch's
 * dbt object, so {@code dbt_model} models resolve to compiled SQL; an upload refreshes the models built on it.
 */
@ApplicationScoped
public class DbtManifests {

    private static final Logger LOG = Logger.getLogger(DbtManifests.class);

    private final Database db;
    private final CatalogStore store;
    private final Catalog catalog;

    public DbtManifests(Database db, CatalogStore store, Catalog catalog) {
        this.db = db;
        this.store = store;
        this.catalog = catalog;
    }

    /** What an upload did: how many dbt models it holds and which Eddy models got new SQL. */
    public record UploadResult(int dbtModels, List<String> updatedModels) {
    }

    public UploadResult upload(JsonNode manifest) {
        JsonNode nodes = manifest == null ? null : manifest.get("nodes");
        if (nodes == null || !nodes.isObject()) {
            throw ValidationException.of("nodes", "is required: upload dbt's target/manifest.json");
        }
        // identifiers are quoted as the manifest's warehouse quotes them: MySQL does not read "..." as a name
        String adapter = text(manifest.get("metadata"), "adapter_type");
        Map<String, ObjectNode> models = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = nodes.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode n = e.getValue();
            if (!"model".equals(text(n, "resource_type")) && !e.getKey().startsWith("model.")) {
                continue;
            }
            String schema = text(n, "schema");
            String table = text(n, "alias").isEmpty() ? text(n, "name") : text(n, "alias");
            String compiled = first(n, "compiled_code", "compiled_sql");
            if (compiled.isEmpty()) {
                // a manifest from `dbt parse` has no compiled SQL: read the table dbt builds
                compiled = "SELECT * FROM " + (schema.isEmpty() ? "" : quote(schema, adapter) + ".") + quote(table, adapter);
            }
            models.put(e.getKey(), node(e.getKey(), compiled, first(n, "raw_code", "raw_sql"), text(n, "database"), schema, table));
        }
        List<Long> changed = db.inTransaction(c -> {
            for (Map.Entry<String, ObjectNode> m : models.entrySet()) {
                store.upsertDbtNode(c, m.getKey(), m.getValue());
            }
            return catalog.refreshDbtModels(c, models);
        });
        changed.forEach(catalog::modelChanged);
        LOG.infof("dbt manifest uploaded: %d models, %d Eddy models refreshed", models.size(), changed.size());
        return new UploadResult(models.size(), changed.stream().map(String::valueOf).toList());
    }

    /** Hightouch's dbt object; {@code modelId} is the dbt unique id. */
    /** The keys of Hightouch's dbt object, as {@link #node} writes them: a model's {@code dbt} may hold these. */
    static final KnownKeys NODE_KEYS = KnownKeys.of(
            "dbtUniqueId", "compiledSql", "rawSql", "database", "schema", "name", "modelId");

    static ObjectNode node(String uniqueId, String compiledSql, String rawSql, String database, String schema, String name) {
        return JsonNodeFactory.instance.objectNode()
                .put("dbtUniqueId", uniqueId).put("compiledSql", compiledSql).put("rawSql", rawSql)
                .put("database", database).put("schema", schema).put("name", name).put("modelId", uniqueId);
    }

    /** An identifier quoted for the manifest's adapter: backticks for MySQL and MariaDB, double quotes elsewhere. */
    static String quote(String identifier, String adapter) {
        if ("mysql".equals(adapter) || "mariadb".equals(adapter)) {
            return "`" + identifier.replace("`", "``") + "`";
        }
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String first(JsonNode n, String a, String b) {
        String v = text(n, a);
        return v.isEmpty() ? text(n, b) : v;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || !v.isTextual() ? "" : v.asText();
    }
}
