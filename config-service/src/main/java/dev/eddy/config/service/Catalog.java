package dev.eddy.config.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.config.domain.Destination;
import dev.eddy.config.domain.Model;
import dev.eddy.config.domain.Source;
import dev.eddy.config.domain.Sync;
import dev.eddy.config.service.ConfigChanged.Change;
import dev.eddy.config.store.CatalogStore;
import dev.eddy.config.store.CatalogStore.Filter;
import dev.eddy.config.store.Database;
import dev.eddy.config.store.ListQuery;
import dev.eddy.config.store.RunStore;
import dev.eddy.config.store.SequenceStore;
import dev.eddy.config.warehouse.WarehouseProbe;
import dev.eddy.config.warehouse.WarehouseProbe.Preview;
import dev.eddy.config.warehouse.WarehouseProbe.TestResult;
import dev.eddy.config.warehouse.WarehouseProbe.WarehouseException;
import dev.eddy.contracts.destination.ConfigProblem;
import dev.eddy.contracts.destination.DeliveryOptions;
import dev.eddy.contracts.destination.DestinationDescriptor;
import dev.eddy.contracts.destination.DestinationDescriptors;
import dev.eddy.contracts.egress.DestinationTargets;
import dev.eddy.contracts.egress.EgressPolicy;
import dev.eddy.contracts.schedule.ScheduleValidator;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.secrets.UrlSecrets;
import dev.eddy.contracts.source.DuckDbSourcePath;
import dev.eddy.contracts.source.MySqlConnection;
import dev.eddy.contracts.source.PostgresConnection;
import dev.eddy.contracts.source.SourceAddress;
import dev.eddy.contracts.source.SourceSettings;
import dev.eddy.contracts.source.SyncLogSources;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.contracts.template.InvalidTemplateException;
import dev.eddy.contracts.template.Liquid;
import dev.eddy.contracts.validation.KnownKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Creates, reads, updates and deletes sources, models, destinations and syncs: validates request bodies
 * (every problem at once), seals secret configuration fields before they are stored, refuses deletes
 * that would orphan dependants, and fires {@link ConfigChanged} after each committed change.
 * <p>
 * PATCH bodies follow JSON Merge Patch (RFC 7386): fields given replace, {@code null} removes, objects
 * merge; a sync's {@code schedule} is replaced as a whole; a secret sent back as {@code "********"}
 * keeps the stored secret.
 */
@ApplicationScoped
public class Catalog {

    private static final Logger LOG = Logger.getLogger(Catalog.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    // sorted, so the 422 lists the supported types in a stable order
    static final Set<String> SOURCE_TYPES = Collections.unmodifiableSortedSet(new TreeSet<>(Set.of("postgres", "duckdb", "mysql")));
    static final Set<String> QUERY_TYPES = Set.of(Model.RAW_SQL, Model.TABLE, Model.DBT_MODEL);
    /** The modes the API offers, as Hightouch does; delivery also reads {@code mirror} (as upsert) from older specs. */
    static final Set<String> MODES = Set.of("upsert", "insert", "update");
    static final Set<String> MAPPING_TYPES = Set.of("standard", "static", "variable", "template");
    static final List<String> SYNC_LOG_TABLES = SyncLogSources.TABLES;
    /**
     * Fields of every read shape, ignored when a client sends them (a PATCH with the object it read, as Hightouch's
     * clients do): the server sets them.
     */
    private static final String[] READ_ONLY = {"id", "workspaceId", "createdAt", "updatedAt"};
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*){0,2}");

    private final Database db;
    private final CatalogStore store;
    private final RunStore runs;
    private final SecretBox secrets;
    private final WarehouseProbe warehouse;
    private final Event<ConfigChanged> changes;
    private final SequenceStore sequences;
    private final EgressPolicy egress;

    public Catalog(Database db, CatalogStore store, RunStore runs, SecretBox secrets, WarehouseProbe warehouse,
                   Event<ConfigChanged> changes, SequenceStore sequences, EgressPolicy egress) {
        this.egress = egress;
        this.db = db;
        this.store = store;
        this.runs = runs;
        this.secrets = secrets;
        this.warehouse = warehouse;
        this.changes = changes;
        this.sequences = sequences;
    }

    /** Parses a path id; anything that is not a number names no object. */
    public static long parseId(String kind, String id) {
        if (id == null || !id.matches("\\d{1,18}")) {
            throw new UnknownObjectException(kind, id);
        }
        return Long.parseLong(id);
    }

    // ---- sources

    private record SourceInput(String name, String slug, String type, ObjectNode sealed) {
    }

    /** A source body's keys; the configuration's are its type's ({@link SourceSettings}). */
    static final KnownKeys SOURCE_KEYS = KnownKeys.of("name", "slug", "type", "configuration").tolerating(READ_ONLY);

    /**
     * Refuses the keys of {@code given} (the body a client sent: a create, or a PATCH, so that keys stored before they
     * were refused do not block editing) the source's type does not read.
     */
    private static void rejectUnknownSourceKeys(JsonNode given, String type, FieldProblems p) {
        p.unknownKeys(SOURCE_KEYS, given, "");
        SourceSettings.knownKeys(type).ifPresent(keys -> p.unknownKeys(keys, given.get("configuration"), "configuration"));
    }

    private SourceInput validateSource(JsonNode body, FieldProblems p) {
        String name = nameOf(body, p);
        String slug = slugOf(body, p);
        String type = p.requireText(body, "type", "type");
        if (type != null && !SOURCE_TYPES.contains(type)) {
            p.add("type", "unknown source type '" + type + "'; supported: " + String.join(", ", SOURCE_TYPES));
        }
        ObjectNode configuration = p.object(body, "configuration", "configuration", true);
        if (configuration != null && ("postgres".equals(type) || "mysql".equals(type))) {
            networkSourceProblems(configuration, "postgres".equals(type) ? PostgresConnection.DEFAULT_PORT : MySqlConnection.DEFAULT_PORT, p);
        }
        if (configuration != null && "postgres".equals(type)) {
            String sslMode = p.optionalText(configuration, "sslmode", "configuration.sslmode");
            if (sslMode != null && !sslMode.isBlank() && !PostgresConnection.SSL_MODES.contains(sslMode)) {
                p.add("configuration.sslmode", "must be one of " + String.join(", ", new TreeSet<>(PostgresConnection.SSL_MODES)));
            }
        }
        if (configuration != null && "mysql".equals(type)) {
            String sslMode = p.optionalText(configuration, "sslMode", "configuration.sslMode");
            if (sslMode != null && !MySqlConnection.SSL_MODES.contains(sslMode)) {
                p.add("configuration.sslMode", "must be one of " + String.join(", ", new TreeSet<>(MySqlConnection.SSL_MODES)));
            }
        }
        if (configuration != null && "duckdb".equals(type)) {
            JsonNode path = configuration.get(DuckDbSourcePath.FIELD);
            DuckDbSourcePath.problem(path == null || !path.isTextual() ? null : path.textValue())
                    .ifPresent(problem -> p.add("configuration." + DuckDbSourcePath.FIELD, problem));
        }
        rejectMaskedSecrets(configuration, "configuration", p);
        return new SourceInput(name, slug, type, configuration == null ? null : secrets.sealSecrets(configuration.deepCopy()));
    }

    /**
     * The host, port, database and user of a PostgreSQL or MySQL source: validated parts only (the JDBC URL is built
     * from them, {@link SourceAddress}), and a literal host the egress policy denies is refused here already.
     */
    private void networkSourceProblems(ObjectNode configuration, int defaultPort, FieldProblems p) {
        Map<String, Object> config = new LinkedHashMap<>();
        for (String field : List.of("host", "port", "database", "user")) {
            JsonNode value = configuration.get(field);
            if (value != null && !value.isNull()) {
                config.put(field, value.isTextual() ? value.textValue() : value.isIntegralNumber() ? (Object) value.longValue() : value.toString());
            }
        }
        SourceAddress.problems(config).forEach((field, problem) -> p.add("configuration." + field, problem));
        if (!p.has("configuration.host") && !p.has("configuration.port")) {
            Object port = config.get("port");
            int number = port == null ? defaultPort : Integer.parseInt(port.toString());
            egress.literalProblem((String) config.get("host"), number)
                    .ifPresent(problem -> p.add("configuration.host", problem));
        }
    }

    public Source createSource(JsonNode body) {
        FieldProblems p = new FieldProblems();
        rejectSealedValues(body.get("configuration"), "configuration", p);
        rejectUnknownSourceKeys(body, text(body, "type", null), p);
        SourceInput in = validateSource(body, p);
        Source created = db.inTransaction(c -> {
            checkSlug(c, p, "sources", in.slug(), -1);
            p.throwIfAny();
            return uniqueSlug(() -> store.insertSource(c, in.name(), in.slug(), in.type(), in.sealed()));
        });
        fire("source", created.id(), created.slug(), Change.CREATED);
        return created;
    }

    public Source updateSource(String id, JsonNode patch) {
        long key = parseId("source", id);
        Source updated = db.inTransaction(c -> {
            Source current = store.findSource(c, key).orElseThrow(() -> new UnknownObjectException("source", id));
            ObjectNode body = JsonNodeFactory.instance.objectNode()
                    .put("name", current.name()).put("slug", current.slug()).put("type", current.type());
            body.set("configuration", current.configuration().deepCopy());
            FieldProblems p = new FieldProblems();
            rejectSealedValues(patch.get("configuration"), "configuration", p);
            ObjectNode merged = merge(body, patch, Set.of());
            requireSecretsOnRetarget(current.configuration(), merged.get("configuration"), p);
            rejectUnknownSourceKeys(patch, text(merged, "type", null), p);
            SourceInput in = validateSource(merged, p);
            checkSlug(c, p, "sources", in.slug(), key);
            p.throwIfAny();
            return uniqueSlug(() -> store.updateSource(c, key, in.name(), in.slug(), in.type(), in.sealed()));
        });
        fire("source", updated.id(), updated.slug(), Change.UPDATED);
        return updated;
    }

    public void deleteSource(String id) {
        long key = parseId("source", id);
        Source deleted = db.inTransaction(c -> {
            Source current = store.findSource(c, key).orElseThrow(() -> new UnknownObjectException("source", id));
            List<Long> models = store.modelIdsOfSource(c, key);
            if (!models.isEmpty()) {
                throw new ConflictException("source " + id + " is used by models " + join(models) + "; delete them first",
                        Map.of("models", strings(models)));
            }
            deleteOrConflict(() -> store.deleteSource(c, key), "source", id);
            return current;
        });
        fire("source", deleted.id(), deleted.slug(), Change.DELETED);
    }

    public Source source(String id) {
        long key = parseId("source", id);
        return db.inTransaction(c -> store.findSource(c, key)).orElseThrow(() -> new UnknownObjectException("source", id));
    }

    public List<Source> sources(Filter filter) {
        return db.inTransaction(c -> store.listSources(c, filter));
    }

    public List<Source> sources(ListQuery query) {
        return db.inTransaction(c -> store.listSources(c, query));
    }

    /** Tries the source's connection; answers ok or the driver's message. */
    public TestResult testSource(String id) {
        Source source = source(id);
        TestResult result = warehouse.test(source);
        LOG.infof("connection test of source %s: %s", source.slug(), result.success() ? "ok" : "failed");
        return result;
    }

    // ---- destinations

    private record DestinationInput(String name, String slug, String type, ObjectNode sealed) {
    }

    /** A destination body's keys ({@code syncs} is read-only); the configuration's are its type's descriptor's. */
    static final KnownKeys DESTINATION_KEYS = KnownKeys.of("name", "slug", "type", "configuration").tolerating(READ_ONLY)
            .tolerating("syncs");

    /** Refuses the keys of {@code given} (a create, or a PATCH) the destination's type does not read. */
    private static void rejectUnknownDestinationKeys(JsonNode given, String type, FieldProblems p) {
        p.unknownKeys(DESTINATION_KEYS, given, "");
        DestinationDescriptors.find(type).flatMap(DestinationDescriptor::knownKeys)
                .ifPresent(keys -> p.unknownKeys(keys, given.get("configuration"), "configuration"));
    }

    /**
     * The destination's type and configuration are checked by the rules delivery's connector for the type applies
     * ({@link DestinationDescriptor}, shared in contracts), so a destination the API accepts is one delivery can open.
     * Secret fields are sealed: those named like secrets and those the type declares (credential headers, Kafka
     * credential properties).
     */
    private DestinationInput validateDestination(JsonNode body, FieldProblems p) {
        String name = nameOf(body, p);
        String slug = slugOf(body, p);
        String type = p.requireText(body, "type", "type");
        Optional<DestinationDescriptor> descriptor = DestinationDescriptors.find(type);
        if (type != null && descriptor.isEmpty()) {
            p.add("type", "unknown destination type '" + type + "'; supported: " + String.join(", ", DestinationDescriptors.types()));
        }
        ObjectNode configuration = p.object(body, "configuration", "configuration", true);
        if (configuration != null && descriptor.isPresent()) {
            Map<String, Object> config = JSON.convertValue(configuration, MAP);
            for (ConfigProblem problem : descriptor.get().validate(config)) {
                p.add("configuration." + problem.field(), problem.message());
            }
            for (DestinationTargets.Target target : DestinationTargets.of(type, config)) {
                egress.literalProblem(target.host(), target.port())
                        .ifPresent(problem -> p.add("configuration." + target.field(), "host " + target.host() + " " + problem));
            }
        }
        rejectMaskedSecrets(configuration, "configuration", p);
        ObjectNode sealed = configuration == null ? null : descriptor.isPresent()
                ? secrets.sealSecrets(configuration.deepCopy(), descriptor.get()::isSecret)
                : secrets.sealSecrets(configuration.deepCopy());
        if (sealed != null) {
            UrlSecrets.sealUrls(sealed, secrets::seal);
        }
        return new DestinationInput(name, slug, type, sealed);
    }

    /**
     * The URLs of a destination configuration whose tokens and userinfo are secrets ({@link UrlSecrets}): the
     * webhook's {@code url} and each event kind's {@code url} template of the http destination.
     */
    private static void forEachUrl(ObjectNode configuration, java.util.function.BiConsumer<ObjectNode, String> action) {
        if (configuration.path("url").isTextual()) {
            action.accept(configuration, "url");
        }
        for (String kind : List.of("added", "changed", "removed")) {
            if (configuration.get(kind) instanceof ObjectNode request && request.path("url").isTextual()) {
                action.accept(request, "url");
            }
        }
    }

    /**
     * A URL a client sends must hold its secrets in plain: a sealed part would be opened for the client by delivery
     * (another secret sent to its own server), and a mask (a URL copied from a response) would be sent as it is.
     */
    private static void refuseSealedOrMaskedUrls(JsonNode configuration, FieldProblems p) {
        if (!(configuration instanceof ObjectNode object)) {
            return;
        }
        forEachUrl(object, (holder, field) -> {
            String url = holder.get(field).asText();
            String path = "configuration." + (holder == object ? field : kindOf(object, holder) + "." + field);
            if (UrlSecrets.carriesSealed(url)) {
                p.add(path, "must not carry a sealed value: send the URL with its token as it is");
            } else if (url.contains(SecretBox.MASK)) {
                p.add(path, "carries a mask: send the URL with its real token (Eddy seals it), or leave url out to keep the stored one");
            }
        });
    }

    private static String kindOf(ObjectNode configuration, ObjectNode request) {
        for (String kind : List.of("added", "changed", "removed")) {
            if (configuration.get(kind) == request) {
                return kind;
            }
        }
        return "url";
    }

    public DestinationDetails createDestination(JsonNode body) {
        FieldProblems p = new FieldProblems();
        rejectSealedValues(body.get("configuration"), "configuration", p);
        refuseSealedOrMaskedUrls(body == null ? null : body.get("configuration"), p);
        rejectUnknownDestinationKeys(body, text(body, "type", null), p);
        DestinationInput in = validateDestination(body, p);
        DestinationDetails created = db.inTransaction(c -> {
            checkSlug(c, p, "destinations", in.slug(), -1);
            p.throwIfAny();
            return new DestinationDetails(uniqueSlug(() -> store.insertDestination(c, in.name(), in.slug(), in.type(), in.sealed())), List.of());
        });
        fire("destination", created.destination().id(), created.destination().slug(), Change.CREATED);
        return created;
    }

    public DestinationDetails updateDestination(String id, JsonNode patch) {
        long key = parseId("destination", id);
        DestinationDetails updated = db.inTransaction(c -> {
            Destination current = store.findDestination(c, key).orElseThrow(() -> new UnknownObjectException("destination", id));
            ObjectNode body = JsonNodeFactory.instance.objectNode()
                    .put("name", current.name()).put("slug", current.slug()).put("type", current.type());
            body.set("configuration", current.configuration().deepCopy());
            FieldProblems p = new FieldProblems();
            rejectSealedValues(patch.get("configuration"), "configuration", p);
            refuseSealedOrMaskedUrls(patch == null ? null : patch.get("configuration"), p);
            ObjectNode merged = merge(body, patch, Set.of());
            requireSecretsOnRetarget(current.configuration(), merged.get("configuration"), p);
            rejectUnknownDestinationKeys(patch, text(merged, "type", null), p);
            DestinationInput in = validateDestination(merged, p);
            checkSlug(c, p, "destinations", in.slug(), key);
            p.throwIfAny();
            Destination d = uniqueSlug(() -> store.updateDestination(c, key, in.name(), in.slug(), in.type(), in.sealed()));
            return new DestinationDetails(d, store.syncIdsOf(c, "destination_id", key));
        });
        fire("destination", key, updated.destination().slug(), Change.UPDATED);
        return updated;
    }

    public void deleteDestination(String id) {
        long key = parseId("destination", id);
        Destination deleted = db.inTransaction(c -> {
            Destination current = store.findDestination(c, key).orElseThrow(() -> new UnknownObjectException("destination", id));
            List<Long> syncs = store.syncIdsOf(c, "destination_id", key);
            if (!syncs.isEmpty()) {
                throw new ConflictException("destination " + id + " is used by syncs " + join(syncs) + "; delete them first",
                        Map.of("syncs", strings(syncs)));
            }
            deleteOrConflict(() -> store.deleteDestination(c, key), "destination", id);
            return current;
        });
        fire("destination", deleted.id(), deleted.slug(), Change.DELETED);
    }

    public DestinationDetails destination(String id) {
        long key = parseId("destination", id);
        return db.inTransaction(c -> {
            Destination d = store.findDestination(c, key).orElseThrow(() -> new UnknownObjectException("destination", id));
            return new DestinationDetails(d, store.syncIdsOf(c, "destination_id", d.id()));
        });
    }

    public List<DestinationDetails> destinations(Filter filter) {
        return destinations(ListQuery.of(filter.slug(), filter.name()));
    }

    public List<DestinationDetails> destinations(ListQuery query) {
        return db.inTransaction(c -> {
            List<DestinationDetails> result = new ArrayList<>();
            for (Destination d : store.listDestinations(c, query)) {
                result.add(new DestinationDetails(d, store.syncIdsOf(c, "destination_id", d.id())));
            }
            return result;
        });
    }

    // ---- models

    private record ModelInput(String name, String slug, Long sourceId, String queryType, String rawSql, String tableName,
                              ObjectNode dbt, String primaryKey, ObjectNode tags) {
    }

    /**
     * A model body's keys: {@code raw}, {@code table} and {@code dbt} as their query types read them ({@code syncs} and
     * {@code isSchema}, always false, are read-only).
     */
    static final KnownKeys MODEL_KEYS = KnownKeys.of("name", "slug", "primaryKey", "sourceId", "queryType", "tags")
            .with("raw", KnownKeys.of("sql")).with("table", KnownKeys.of("name")).with("dbt", DbtManifests.NODE_KEYS)
            .tolerating(READ_ONLY).tolerating("syncs", "isSchema");

    private ModelInput validateModel(Connection c, JsonNode body, FieldProblems p) throws SQLException {
        String name = nameOf(body, p);
        String slug = slugOf(body, p);
        String primaryKey = p.requireText(body, "primaryKey", "primaryKey");
        Long sourceId = p.requireId(body, "sourceId", "sourceId");
        String queryType = p.optionalText(body, "queryType", "queryType");
        if (queryType == null && !p.has("queryType")) {
            queryType = inferQueryType(body);
        }
        if ("dbt".equals(queryType)) {
            queryType = Model.DBT_MODEL;
        }
        String rawSql = null;
        String tableName = null;
        ObjectNode dbt = null;
        if (queryType != null && !QUERY_TYPES.contains(queryType)) {
            p.add("queryType", "unknown query type '" + queryType + "'; supported: " + String.join(", ", QUERY_TYPES.stream().sorted().toList()));
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
        } else if (Model.DBT_MODEL.equals(queryType)) {
            dbt = resolveDbt(c, p.object(body, "dbt", "dbt", true), p);
        }
        ObjectNode tags = p.object(body, "tags", "tags", false);
        if (tags != null) {
            tags.fields().forEachRemaining(t -> {
                if (!t.getValue().isTextual()) {
                    p.add("tags." + t.getKey(), "must be a string");
                }
            });
        }
        if (sourceId != null && store.findSource(c, sourceId).isEmpty()) {
            p.add("sourceId", "no source with id " + sourceId);
        }
        return new ModelInput(name, slug, sourceId, queryType, rawSql, tableName, dbt, primaryKey, tags == null ? null : tags.deepCopy());
    }

    private static String inferQueryType(JsonNode body) {
        if (body == null) {
            return Model.RAW_SQL;
        }
        if (body.has("dbt") && !body.has("raw") && !body.has("table")) {
            return Model.DBT_MODEL;
        }
        return body.has("table") && !body.has("raw") ? Model.TABLE : Model.RAW_SQL;
    }

    /**
     * Hightouch's dbt object for a model: from the uploaded manifest when it holds {@code dbt.dbtUniqueId}
     * (fresh compiled SQL), else the object as given when it carries its own {@code compiledSql}.
     */
    private ObjectNode resolveDbt(Connection c, ObjectNode given, FieldProblems p) throws SQLException {
        if (given == null) {
            return null;
        }
        String uniqueId = p.requireText(given, "dbtUniqueId", "dbt.dbtUniqueId");
        if (uniqueId == null) {
            return null;
        }
        Optional<ObjectNode> node = store.findDbtNode(c, uniqueId);
        if (node.isPresent()) {
            return node.get();
        }
        JsonNode compiled = given.get("compiledSql");
        if (compiled == null || !compiled.isTextual() || compiled.asText().isBlank()) {
            p.add("dbt.dbtUniqueId", "no dbt model '" + uniqueId + "' in the uploaded manifests; upload manifest.json to "
                    + "POST /api/v1/dbt/manifest or give dbt.compiledSql");
            return null;
        }
        ObjectNode dbt = DbtManifests.node(uniqueId, compiled.asText(), text(given, "rawSql", compiled.asText()),
                text(given, "database", ""), text(given, "schema", ""), text(given, "name", ""));
        return dbt;
    }

    public ModelDetails createModel(JsonNode body) {
        ModelDetails created = db.inTransaction(c -> {
            FieldProblems p = new FieldProblems();
            p.unknownKeys(MODEL_KEYS, body, "");
            ModelInput in = validateModel(c, body, p);
            checkSlug(c, p, "models", in.slug(), -1);
            p.throwIfAny();
            Model model = uniqueSlug(() -> store.insertModel(c, in.name(), in.slug(), in.sourceId(), in.queryType(), in.rawSql(),
                    in.tableName(), in.dbt(), in.primaryKey(), in.tags()));
            return new ModelDetails(model, List.of());
        });
        fire("model", created.model().id(), created.model().slug(), Change.CREATED);
        return created;
    }

    public ModelDetails updateModel(String id, JsonNode patch) {
        long key = parseId("model", id);
        ModelDetails updated = db.inTransaction(c -> {
            Model current = store.findModel(c, key).orElseThrow(() -> new UnknownObjectException("model", id));
            ObjectNode body = modelBody(current);
            ObjectNode p0 = patch.deepCopy();
            if (!p0.has("queryType") && (p0.has("raw") || p0.has("table") || p0.has("dbt"))) {
                p0.put("queryType", inferQueryType(p0));
            }
            FieldProblems p = new FieldProblems();
            p.unknownKeys(MODEL_KEYS, patch, "");
            ModelInput in = validateModel(c, merge(body, p0, Set.of()), p);
            checkSlug(c, p, "models", in.slug(), key);
            p.throwIfAny();
            Model model = uniqueSlug(() -> store.updateModel(c, key, in.name(), in.slug(), in.sourceId(), in.queryType(), in.rawSql(),
                    in.tableName(), in.dbt(), in.primaryKey(), in.tags()));
            return new ModelDetails(model, store.syncIdsOf(c, "model_id", key));
        });
        fire("model", key, updated.model().slug(), Change.UPDATED);
        return updated;
    }

    private static ObjectNode modelBody(Model m) {
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("name", m.name()).put("slug", m.slug()).put("sourceId", Long.toString(m.sourceId()))
                .put("queryType", m.queryType()).put("primaryKey", m.primaryKey());
        if (m.rawSql() != null) {
            body.putObject("raw").put("sql", m.rawSql());
        }
        if (m.tableName() != null) {
            body.putObject("table").put("name", m.tableName());
        }
        if (m.dbt() != null) {
            body.set("dbt", m.dbt().deepCopy());
        }
        if (m.tags() != null) {
            body.set("tags", m.tags().deepCopy());
        }
        return body;
    }

    public void deleteModel(String id) {
        long key = parseId("model", id);
        Model deleted = db.inTransaction(c -> {
            Model current = store.findModel(c, key).orElseThrow(() -> new UnknownObjectException("model", id));
            List<Long> syncs = store.syncIdsOf(c, "model_id", key);
            if (!syncs.isEmpty()) {
                throw new ConflictException("model " + id + " is used by syncs " + join(syncs) + "; delete them first",
                        Map.of("syncs", strings(syncs)));
            }
            deleteOrConflict(() -> store.deleteModel(c, key), "model", id);
            return current;
        });
        fire("model", deleted.id(), deleted.slug(), Change.DELETED);
    }

    public ModelDetails model(String id) {
        long key = parseId("model", id);
        return db.inTransaction(c -> {
            Model m = store.findModel(c, key).orElseThrow(() -> new UnknownObjectException("model", id));
            return new ModelDetails(m, store.syncIdsOf(c, "model_id", m.id()));
        });
    }

    public List<ModelDetails> models(Filter filter) {
        return models(ListQuery.of(filter.slug(), filter.name()));
    }

    public List<ModelDetails> models(ListQuery query) {
        return db.inTransaction(c -> {
            List<ModelDetails> result = new ArrayList<>();
            for (Model m : store.listModels(c, query)) {
                result.add(new ModelDetails(m, store.syncIdsOf(c, "model_id", m.id())));
            }
            return result;
        });
    }

    /** The model's columns and first rows (at most {@code limit}, capped at 100); a warehouse error is a 422 on {@code query}. */
    public Preview previewModel(String id, int limit) {
        ModelDetails details = model(id);
        Model model = details.model();
        Source source = source(Long.toString(model.sourceId()));
        try {
            Preview preview = warehouse.preview(source, model.sql(), limit);
            LOG.infof("previewed model %s: %d columns, %d rows", model.slug(), preview.columns().size(), preview.rows().size());
            return preview;
        } catch (WarehouseException e) {
            throw ValidationException.of("query", "the warehouse refused the model's query: " + e.getMessage());
        }
    }

    // ---- syncs

    private record SyncInput(String slug, Long modelId, Long destinationId, boolean disabled, boolean schedulePaused,
                             ObjectNode schedule, ObjectNode configuration, Model model, Source source) {
    }

    /**
     * A sync body's keys: {@code configuration}'s are {@link SyncSpec#CONFIGURATION_KEYS}, {@code schedule}'s its type's
     * ({@link ScheduleValidator#unknownKeys}); {@code status}, {@code lastRunAt}, {@code referencedColumns} and
     * {@code primaryKey} (the model's) are read-only.
     */
    static final KnownKeys SYNC_KEYS = KnownKeys.of("slug", "modelId", "destinationId", "disabled", "schedulePaused",
            "schedule", "configuration").tolerating(READ_ONLY).tolerating("status", "lastRunAt", "referencedColumns", "primaryKey");

    /** Refuses the keys of {@code given} (a create, or a PATCH) a sync does not read, at every depth. */
    private static void rejectUnknownSyncKeys(JsonNode given, FieldProblems p) {
        p.unknownKeys(SYNC_KEYS, given, "");
        p.unknownKeys(SyncSpec.CONFIGURATION_KEYS, given.get("configuration"), "configuration");
        JsonNode schedule = given.get("schedule");
        if (schedule != null && schedule.isObject()) {
            validateScheduleProblems(ScheduleValidator.unknownKeys(schedule), p);
        }
    }

    private SyncInput validateSync(Connection c, JsonNode body, FieldProblems p) throws SQLException {
        String slug = slugOf(body, p);
        Long modelId = p.requireId(body, "modelId", "modelId");
        Long destinationId = p.requireId(body, "destinationId", "destinationId");
        boolean disabled = p.optionalBoolean(body, "disabled", "disabled", false);
        boolean schedulePaused = p.optionalBoolean(body, "schedulePaused", "schedulePaused", false);
        ObjectNode schedule = p.object(body, "schedule", "schedule", false);
        if (schedule == null) {
            schedule = JsonNodeFactory.instance.objectNode().put("type", "manual");
        } else {
            schedule = schedule.deepCopy();
            validateSchedule(schedule, p);
        }
        if (!schedule.has("schedule")) {
            schedule.putNull("schedule");
        }
        ObjectNode configuration = p.object(body, "configuration", "configuration", false);
        configuration = configuration == null ? JsonNodeFactory.instance.objectNode() : configuration.deepCopy();
        DeliveryOptions options = validateSyncConfiguration(configuration, p);
        Model model = null;
        Source source = null;
        if (modelId != null) {
            model = store.findModel(c, modelId).orElse(null);
            if (model == null) {
                p.add("modelId", "no model with id " + modelId);
            } else {
                source = store.findSource(c, model.sourceId()).orElse(null);
            }
        }
        validateWarehouseSyncLogs(configuration, source == null ? null : source.type(), p);
        Destination destination = destinationId == null ? null : store.findDestination(c, destinationId).orElse(null);
        if (destinationId != null && destination == null) {
            p.add("destinationId", "no destination with id " + destinationId);
        }
        if (destination != null && options != null) {
            // what the destination's connector cannot carry out (a sync type or mode, postgres' record matching)
            Optional<DestinationDescriptor> descriptor = DestinationDescriptors.find(destination.type());
            if (descriptor.isPresent()) {
                for (ConfigProblem problem : options.problemsFor(descriptor.get(),
                        JSON.convertValue(destination.configuration(), MAP), model == null ? null : model.primaryKey())) {
                    p.add("configuration." + problem.field(), problem.message());
                }
            }
        }
        return new SyncInput(slug, modelId, destinationId, disabled, schedulePaused, schedule, configuration, model, source);
    }

    /**
     * Mapped columns the model does not return are a 422, checked against a preview of the model. When the
     * preview cannot run (warehouse unreachable, SQL failing) the sync is accepted: its runs will report the
     * warehouse's error, and configuration must stay editable while a warehouse is down.
     */
    private void checkMappedColumns(SyncInput in, FieldProblems p) {
        if (in.model() == null || in.source() == null || in.model().sql() == null) {
            return;
        }
        List<SyncSpec.Mapping> mappings = new SyncSpec(null, null, 0, null, null, null, in.configuration()).mappings();
        if (mappings.stream().noneMatch(m -> "standard".equals(m.typeOrDefault()) && m.from() != null)) {
            return;
        }
        List<String> columns;
        try {
            columns = warehouse.preview(in.source(), in.model().sql(), 0).columnNames();
        } catch (WarehouseException e) {
            LOG.infof("sync %s: mapped columns not checked, the model's preview failed", in.slug());
            return;
        }
        for (int i = 0; i < mappings.size(); i++) {
            SyncSpec.Mapping m = mappings.get(i);
            if ("standard".equals(m.typeOrDefault()) && m.from() != null && !columns.contains(m.from())) {
                p.add("configuration.mappings[" + i + "].from", "column '" + m.from() + "' is not returned by model "
                        + in.model().id() + " (columns: " + String.join(", ", columns) + ")");
            }
        }
    }

    public SyncDetails createSync(JsonNode body) {
        SyncDetails created = db.inTransaction(c -> {
            FieldProblems p = new FieldProblems();
            rejectUnknownSyncKeys(body, p);
            SyncInput in = validateSync(c, body, p);
            checkSlug(c, p, "syncs", in.slug(), -1);
            p.throwIfAny();
            checkMappedColumns(in, p);
            p.throwIfAny();
            Sync sync = uniqueSlug(() -> store.insertSync(c, in.slug(), in.modelId(), in.destinationId(), in.disabled(),
                    in.schedulePaused(), in.schedule(), in.configuration()));
            return new SyncDetails(sync, in.model(), Optional.empty());
        });
        fire("sync", created.sync().id(), created.sync().slug(), Change.CREATED);
        return created;
    }

    public SyncDetails updateSync(String id, JsonNode patch) {
        long key = parseId("sync", id);
        SyncDetails updated = db.inTransaction(c -> {
            Sync current = store.lockSync(c, key).orElseThrow(() -> new UnknownObjectException("sync", id));
            ObjectNode body = JsonNodeFactory.instance.objectNode()
                    .put("slug", current.slug()).put("modelId", Long.toString(current.modelId()))
                    .put("destinationId", Long.toString(current.destinationId())).put("disabled", current.disabled())
                    .put("schedulePaused", current.schedulePaused());
            body.set("schedule", current.schedule().deepCopy());
            body.set("configuration", current.configuration().deepCopy());
            FieldProblems p = new FieldProblems();
            rejectUnknownSyncKeys(patch, p);
            SyncInput in = validateSync(c, merge(body, patch, Set.of("schedule")), p);
            checkSlug(c, p, "syncs", in.slug(), key);
            p.throwIfAny();
            checkMappedColumns(in, p);
            p.throwIfAny();
            Sync sync = uniqueSlug(() -> store.updateSync(c, key, in.slug(), in.modelId(), in.destinationId(), in.disabled(),
                    in.schedulePaused(), in.schedule(), in.configuration()));
            return details(c, sync);
        });
        fire("sync", key, updated.sync().slug(), Change.UPDATED);
        return updated;
    }

    /** Deletes the sync and its run history; a run in flight finishes, but nothing runs the sync again. */
    public void deleteSync(String id) {
        long key = parseId("sync", id);
        Sync deleted = db.inTransaction(c -> {
            Sync current = store.lockSync(c, key).orElseThrow(() -> new UnknownObjectException("sync", id));
            List<Long> sequences = this.sequences.sequencesUsingSync(c, key);
            if (!sequences.isEmpty()) {
                throw new ConflictException("sync " + id + " is a step of sync sequences; remove it from them first",
                        Map.of("syncSequences", sequences.stream().map(String::valueOf).toList()));
            }
            store.deleteSync(c, key);
            return current;
        });
        fire("sync", deleted.id(), deleted.slug(), Change.DELETED);
    }

    public SyncDetails sync(String id) {
        long key = parseId("sync", id);
        return db.inTransaction(c -> details(c, store.findSync(c, key).orElseThrow(() -> new UnknownObjectException("sync", id))));
    }

    public List<SyncDetails> syncs(Filter filter) {
        return syncs(ListQuery.of(filter.slug(), null));
    }

    public List<SyncDetails> syncs(ListQuery query) {
        return db.inTransaction(c -> {
            List<SyncDetails> result = new ArrayList<>();
            for (Sync s : store.listSyncs(c, query)) {
                result.add(details(c, s));
            }
            return result;
        });
    }

    private SyncDetails details(Connection c, Sync sync) throws SQLException {
        return new SyncDetails(sync, store.findModel(c, sync.modelId()).orElse(null), runs.latest(c, sync.id()));
    }

    /** The scheduler's own rules (shared in {@link ScheduleValidator}): what is accepted here is what it can fire. */
    static void validateSchedule(ObjectNode schedule, FieldProblems p) {
        validateScheduleProblems(ScheduleValidator.problems(schedule), p);
    }

    /** Records {@link ScheduleValidator}'s {@code path: reason} problems by their paths. */
    static void validateScheduleProblems(List<String> problems, FieldProblems p) {
        for (String problem : problems) {
            int colon = problem.indexOf(": ");
            if (colon < 0) {
                p.add("schedule", problem);
            } else {
                p.add(problem.substring(0, colon), problem.substring(colon + 2));
            }
        }
    }

    /**
     * Checks the sync's configuration and answers its delivery options, or null when they have problems (which are
     * recorded). The delivery settings ({@code type}, {@code deleteBehavior}, {@code externalIdMapping},
     * {@code batchSize}, {@code rateLimit}, {@code concurrency}, {@code retry}) are read by delivery's own rules
     * ({@link DeliveryOptions}, shared in contracts); mappings are checked here, templates with delivery's parser.
     */
    private static DeliveryOptions validateSyncConfiguration(ObjectNode configuration, FieldProblems p) {
        String mode = p.optionalText(configuration, "mode", "configuration.mode");
        if (mode != null && !MODES.contains(mode)) {
            p.add("configuration.mode", "must be one of " + String.join(", ", MODES.stream().sorted().toList()));
        }
        DeliveryOptions.Parsed delivery = DeliveryOptions.parse(configuration);
        delivery.problems().forEach(problem -> p.add("configuration." + problem.field(), problem.message()));
        validateMappings(configuration, p);
        return delivery.problems().isEmpty() ? delivery.options() : null;
    }

    private static void validateMappings(ObjectNode configuration, FieldProblems p) {
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
            if ("template".equals(type)) {
                String template = p.requireText(m, "template", path + ".template");
                if (template != null) {
                    try {
                        Liquid.parse(template);
                    } catch (InvalidTemplateException e) {
                        p.add(path + ".template", e.getMessage());
                    }
                }
            }
            p.requireText(m, "to", path + ".to");
        }
    }

    /**
     * {@code configuration.warehouseSyncLogs}: {@code {"changelog", "snapshot", "runs"}}, each true or false, and
     * asked for only where the model's source can take the logs ({@link SyncLogSources}).
     *
     * @param sourceType the model's source type, null when unknown (another problem names the model)
     */
    static void validateWarehouseSyncLogs(ObjectNode configuration, String sourceType, FieldProblems p) {
        JsonNode logs = configuration.get("warehouseSyncLogs");
        String path = "configuration.warehouseSyncLogs";
        if (logs == null || logs.isNull()) {
            return;
        }
        if (!logs.isObject()) {
            p.add(path, "must be an object: {\"changelog\": true|false, \"snapshot\": true|false, \"runs\": true|false}");
            return;
        }
        boolean any = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = logs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> table = it.next();
            if (!SYNC_LOG_TABLES.contains(table.getKey())) {
                p.add(path + "." + table.getKey(), "is not a sync log table; they are " + String.join(", ", SYNC_LOG_TABLES));
            } else if (!table.getValue().isBoolean() && !table.getValue().isNull()) {
                p.add(path + "." + table.getKey(), "must be true or false");
            } else {
                any |= table.getValue().asBoolean(false);
            }
        }
        if (any && sourceType != null && !SyncLogSources.supports(sourceType)) {
            p.add(path, "warehouse sync logs cannot be written to sources of type '" + sourceType + "'; they can be to "
                    + String.join(", ", SyncLogSources.TYPES) + " sources");
        }
    }

    // ---- dbt

    /** Re-resolves the dbt models built from these manifest nodes; answers the models whose query changed. */
    List<Long> refreshDbtModels(Connection c, Map<String, ObjectNode> nodes) throws SQLException {
        List<Long> changed = new ArrayList<>();
        for (Map.Entry<String, ObjectNode> node : nodes.entrySet()) {
            for (Model m : store.modelsOfDbtNode(c, node.getKey())) {
                if (!node.getValue().equals(m.dbt())) {
                    store.updateModel(c, m.id(), m.name(), m.slug(), m.sourceId(), m.queryType(), null, null, node.getValue(),
                            m.primaryKey(), m.tags());
                    changed.add(m.id());
                }
            }
        }
        return changed;
    }

    /** Fires {@link ConfigChanged} for a model changed by something other than its own endpoint. */
    void modelChanged(long id) {
        Model m = db.inTransaction(c -> store.findModel(c, id)).orElse(null);
        if (m != null) {
            fire("model", id, m.slug(), Change.UPDATED);
        }
    }

    // ---- plumbing

    private void fire(String kind, long id, String slug, Change change) {
        changes.fire(new ConfigChanged(kind, Long.toString(id), slug, change, CurrentActor.current()));
    }

    /** RFC 7386 merge of {@code patch} into a copy of {@code target}; fields in {@code replaced} are replaced whole. */
    static ObjectNode merge(ObjectNode target, JsonNode patch, Set<String> replaced) {
        ObjectNode result = target.deepCopy();
        if (patch == null || !patch.isObject()) {
            return result;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode value = f.getValue();
            JsonNode existing = result.get(f.getKey());
            if (value.isNull()) {
                result.remove(f.getKey());
            } else if (value.isTextual() && SecretBox.MASK.equals(value.asText()) && existing != null) {
                // the client sent back the masked secret it read: keep the stored one
                continue;
            } else if (value.isObject() && existing instanceof ObjectNode object && !replaced.contains(f.getKey())) {
                result.set(f.getKey(), merge(object, value, Set.of()));
            } else {
                result.set(f.getKey(), value.deepCopy());
            }
        }
        return result;
    }

    /** Configuration fields that say where a connection goes (at any depth: an http destination's request urls too). */
    static final Set<String> TARGET_FIELDS = Set.of("host", "port", "database", "url", "baseUrl", "jdbcUrl", "bootstrapServers");

    /**
     * A PATCH that points a connection somewhere else must send its secrets again: kept, the stored password or token
     * would go to the new host (an API key holder could send the stored credentials to his own server). Each stored
     * secret the patch leaves as it was is a problem naming it and the target field that changed.
     */
    static void requireSecretsOnRetarget(ObjectNode stored, JsonNode merged, FieldProblems p) {
        if (stored == null || merged == null || !merged.isObject()) {
            return;
        }
        Map<String, JsonNode> before = new java.util.TreeMap<>();
        Map<String, JsonNode> after = new java.util.TreeMap<>();
        targets(stored, "configuration", before);
        targets(merged, "configuration", after);
        Optional<String> changed = java.util.stream.Stream.concat(before.keySet().stream(), after.keySet().stream())
                .filter(path -> !java.util.Objects.equals(before.get(path), after.get(path))).findFirst();
        if (changed.isEmpty()) {
            return;
        }
        List<List<String>> secretsAt = new ArrayList<>();
        sealedValues(stored, List.of(), secretsAt);
        for (List<String> at : secretsAt) {
            JsonNode was = stored;
            JsonNode now = merged;
            for (String part : at) {
                was = was.get(part);
                now = now == null ? null : now.get(part);
            }
            if (was.equals(now)) {
                p.add("configuration." + String.join(".", at),
                        "required when " + changed.get() + " changes (a stored secret is never sent to a new target)");
            }
        }
    }

    private static void targets(JsonNode node, String path, Map<String, JsonNode> into) {
        node.fields().forEachRemaining(f -> {
            String child = path + "." + f.getKey();
            if (TARGET_FIELDS.contains(f.getKey()) && f.getValue().isValueNode()) {
                into.put(child, f.getValue());
            } else if (f.getValue().isObject()) {
                targets(f.getValue(), child, into);
            }
        });
    }

    /** The paths (field names, which may hold dots, as Kafka properties do) of the sealed values under {@code node}. */
    private static void sealedValues(JsonNode node, List<String> path, List<List<String>> into) {
        node.fields().forEachRemaining(f -> {
            List<String> child = new ArrayList<>(path);
            child.add(f.getKey());
            if (f.getValue().isTextual() && SecretBox.isSealed(f.getValue().textValue())) {
                into.add(child);
            } else if (f.getValue().isObject()) {
                sealedValues(f.getValue(), child, into);
            }
        });
    }

    /** A value in SecretBox's sealed format comes only from Eddy itself: a client sending one is refused. */
    private static void rejectSealedValues(JsonNode node, String path, FieldProblems p) {
        if (node == null) {
            return;
        }
        if (node.isTextual() && SecretBox.isSealed(node.textValue())) {
            p.add(path, "is a sealed value: send the secret itself (sealed values are Eddy's own)");
        } else if (node.isContainerNode()) {
            if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    rejectSealedValues(node.get(i), path + "[" + i + "]", p);
                }
            } else {
                node.fields().forEachRemaining(f -> rejectSealedValues(f.getValue(), path + "." + f.getKey(), p));
            }
        }
    }

    /** A secret given as the mask itself would store the mask: refuse it. */
    private static void rejectMaskedSecrets(JsonNode node, String path, FieldProblems p) {
        if (node == null || !node.isObject()) {
            return;
        }
        node.fields().forEachRemaining(f -> {
            String child = path + "." + f.getKey();
            if (f.getValue().isTextual() && SecretBox.MASK.equals(f.getValue().asText())) {
                p.add(child, "is a secret: send its value, not the mask");
            } else {
                rejectMaskedSecrets(f.getValue(), child, p);
            }
        });
    }

    private void checkSlug(Connection c, FieldProblems p, String table, String slug, long exceptId) throws SQLException {
        if (slug != null && store.slugTaken(c, table, slug, exceptId)) {
            p.add("slug", "slug '" + slug + "' is already used");
        }
    }

    /** The longest name of an object. */
    static final int MAX_NAME = 1000;

    /** The body's slug in the one slug format of every kind ({@link Slugs}), or null after recording why not. */
    static String slugOf(JsonNode body, FieldProblems p) {
        String slug = p.requireText(body, "slug", "slug");
        if (slug != null) {
            Optional<String> problem = Slugs.problem(slug);
            if (problem.isPresent()) {
                p.add("slug", problem.get());
                return null;
            }
        }
        return slug;
    }

    /** The body's name, at most {@value #MAX_NAME} characters, or null after recording why not. */
    static String nameOf(JsonNode body, FieldProblems p) {
        String name = p.requireText(body, "name", "name");
        if (name != null && name.length() > MAX_NAME) {
            p.add("name", "must be at most " + MAX_NAME + " characters");
            return null;
        }
        return name;
    }

    /** An insert that lost a race for its slug becomes the same 422 as a slug checked up front. */
    static <T> T uniqueSlug(Insert<T> insert) throws SQLException {
        try {
            return insert.run();
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw ValidationException.of("slug", "slug is already used");
            }
            throw e;
        }
    }

    /** A delete that lost a race with a new dependant (foreign key violation) becomes a 409. */
    private static void deleteOrConflict(Insert<Boolean> delete, String kind, String id) throws SQLException {
        try {
            delete.run();
        } catch (SQLException e) {
            if ("23503".equals(e.getSQLState())) {
                throw new ConflictException(kind + " " + id + " gained a dependant meanwhile; retry", Map.of());
            }
            throw e;
        }
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode v = node.get(field);
        return v == null || !v.isTextual() ? fallback : v.asText();
    }

    private static String join(List<Long> ids) {
        return String.join(", ", strings(ids));
    }

    private static List<String> strings(List<Long> ids) {
        return ids.stream().map(String::valueOf).toList();
    }


    @FunctionalInterface
    interface Insert<T> {
        T run() throws SQLException;
    }
}
