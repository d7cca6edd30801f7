package dev.eddy.config.gitsync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.config.domain.Destination;
import dev.eddy.config.domain.Model;
import dev.eddy.config.domain.Source;
import dev.eddy.config.domain.Sync;
import dev.eddy.config.store.CatalogStore;
import dev.eddy.config.store.CatalogStore.Filter;
import dev.eddy.config.store.Database;
import dev.eddy.config.service.ConfigChanged;
import dev.eddy.config.service.ConfigChanged.Change;
import dev.eddy.contracts.destination.ConfigProblem;
import dev.eddy.contracts.destination.DeliveryOptions;
import dev.eddy.contracts.destination.DestinationDescriptor;
import dev.eddy.contracts.destination.DestinationDescriptors;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link GitSyncCatalog} on the {@link CatalogStore}. Updates and deletes are plain SQL here (a file carries every
 * field, so they replace rather than merge); each committed write fires {@link ConfigChanged} with actor
 * {@link GitSyncCatalog#ACTOR}, which publishes the object to the config topic like an API change.
 */
@ApplicationScoped
public class StoreGitSyncCatalog implements GitSyncCatalog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database db;
    private final CatalogStore store;
    private final Event<ConfigChanged> changes;

    public StoreGitSyncCatalog(Database db, CatalogStore store, Event<ConfigChanged> changes) {
        this.db = db;
        this.store = store;
        this.changes = changes;
    }

    private void fire(String kind, long id, String slug, Change change) {
        changes.fire(new ConfigChanged(kind, Long.toString(id), slug, change, ACTOR));
    }

    @Override
    public List<ModelDocument> models() {
        return db.inTransaction(c -> {
            Map<Long, String> sources = sourceSlugs(c);
            return store.listModels(c, Filter.NONE).stream().map(m -> document(m, sources)).toList();
        });
    }

    @Override
    public List<SyncDocument> syncs() {
        return db.inTransaction(c -> {
            Map<Long, String> models = new HashMap<>();
            store.listModels(c, Filter.NONE).forEach(m -> models.put(m.id(), m.slug()));
            Map<Long, String> destinations = new HashMap<>();
            store.listDestinations(c, Filter.NONE).forEach(d -> destinations.put(d.id(), d.slug()));
            return store.listSyncs(c, Filter.NONE).stream().map(s -> document(s, models, destinations)).toList();
        });
    }

    @Override
    public Optional<ModelDocument> model(String slug) {
        return db.inTransaction(c -> {
            Optional<Model> model = findModel(c, slug);
            return model.isEmpty() ? Optional.<ModelDocument>empty() : Optional.of(document(model.get(), sourceSlugs(c)));
        });
    }

    @Override
    public Optional<SyncDocument> sync(String slug) {
        return db.inTransaction(c -> {
            Optional<Sync> sync = store.findSyncBySlug(c, slug);
            if (sync.isEmpty()) {
                return Optional.empty();
            }
            Sync s = sync.get();
            Map<Long, String> models = Map.of(s.modelId(), store.findModel(c, s.modelId()).map(Model::slug).orElse(""));
            Map<Long, String> destinations = Map.of(s.destinationId(),
                    store.findDestination(c, s.destinationId()).map(Destination::slug).orElse(""));
            return Optional.of(document(s, models, destinations));
        });
    }

    @Override
    public Optional<String> slugOf(GitSyncKind kind, long id) {
        return db.inTransaction(c -> kind == GitSyncKind.MODEL
                ? store.findModel(c, id).map(Model::slug)
                : store.findSync(c, id).map(Sync::slug));
    }

    @Override
    public boolean sourceExists(String slug) {
        return db.inTransaction(c -> !store.listSources(c, new Filter(slug, null)).isEmpty());
    }

    @Override
    public boolean destinationExists(String slug) {
        return db.inTransaction(c -> !store.listDestinations(c, new Filter(slug, null)).isEmpty());
    }

    @Override
    public ModelDocument upsertModel(ModelDocument m) {
        Change[] change = new Change[1];
        Model stored = db.inTransaction(c -> {
            long sourceId = store.listSources(c, new Filter(m.source(), null)).stream().findFirst()
                    .map(Source::id).orElseThrow(() -> new IllegalArgumentException("no source " + m.source()));
            Optional<Model> existing = findModel(c, m.slug());
            change[0] = existing.isEmpty() ? Change.CREATED : Change.UPDATED;
            if (existing.isEmpty()) {
                store.insertModel(c, m.name(), m.slug(), sourceId, m.type(), m.rawSql(), m.tableName(), m.primaryKey());
            } else {
                update(c, "UPDATE config.models SET name = ?, source_id = ?, query_type = ?, raw_sql = ?, table_name = ?, "
                                + "primary_key = ?, updated_at = ? WHERE id = ?",
                        m.name(), sourceId, m.type(), m.rawSql(), m.tableName(), m.primaryKey(), now(), existing.get().id());
            }
            return findModel(c, m.slug()).orElseThrow();
        });
        fire("model", stored.id(), stored.slug(), change[0]);
        return db.inTransaction(c -> document(stored, sourceSlugs(c)));
    }

    @Override
    public List<ConfigProblem> deliveryProblems(SyncDocument s) {
        DeliveryOptions.Parsed parsed = DeliveryOptions.parse(s.config() == null ? JSON.createObjectNode() : s.config());
        if (!parsed.problems().isEmpty()) {
            return parsed.problems();
        }
        return db.inTransaction(c -> {
            Optional<Model> model = findModel(c, s.model());
            Optional<Destination> destination = store.listDestinations(c, new Filter(s.destination(), null)).stream().findFirst();
            Optional<DestinationDescriptor> descriptor = destination.flatMap(d -> DestinationDescriptors.find(d.type()));
            if (model.isEmpty() || descriptor.isEmpty()) {
                return List.<ConfigProblem>of();
            }
            return parsed.options().problemsFor(descriptor.get(),
                    JSON.convertValue(destination.get().configuration(), new TypeReference<Map<String, Object>>() { }),
                    model.get().primaryKey());
        });
    }

    @Override
    public SyncDocument upsertSync(SyncDocument s) {
        Change[] change = new Change[1];
        SyncDocument document = db.inTransaction(c -> {
            Model model = findModel(c, s.model()).orElseThrow(() -> new IllegalArgumentException("no model " + s.model()));
            Destination destination = store.listDestinations(c, new Filter(s.destination(), null)).stream().findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no destination " + s.destination()));
            Optional<Sync> existing = store.findSyncBySlug(c, s.slug());
            change[0] = existing.isEmpty() ? Change.CREATED : Change.UPDATED;
            if (existing.isEmpty()) {
                store.insertSync(c, s.slug(), model.id(), destination.id(), Boolean.TRUE.equals(s.disabled()),
                        s.schedulePaused(), s.schedule(), s.config());
            } else {
                // a file without a disabled key (written before Eddy wrote one) leaves disabled as it is
                boolean disabled = s.disabled() == null ? existing.get().disabled() : s.disabled();
                update(c, "UPDATE config.syncs SET model_id = ?, destination_id = ?, disabled = ?, schedule_paused = ?, "
                                + "schedule = ?::jsonb, configuration = ?::jsonb, updated_at = ? WHERE id = ?",
                        model.id(), destination.id(), disabled, s.schedulePaused(), json(s.schedule()), json(s.config()),
                        now(), existing.get().id());
            }
            Sync stored = store.findSyncBySlug(c, s.slug()).orElseThrow();
            return document(stored, Map.of(model.id(), model.slug()), Map.of(destination.id(), destination.slug()));
        });
        db.inTransaction(c -> store.findSyncBySlug(c, s.slug())).ifPresent(x -> fire("sync", x.id(), x.slug(), change[0]));
        return document;
    }

    @Override
    public DeleteOutcome deleteModel(String slug) {
        long[] id = new long[1];
        DeleteOutcome outcome = db.inTransaction(c -> {
            Optional<Model> model = findModel(c, slug);
            if (model.isEmpty()) {
                return DeleteOutcome.NOT_FOUND;
            }
            if (!store.syncIdsOf(c, "model_id", model.get().id()).isEmpty()) {
                return DeleteOutcome.IN_USE;
            }
            id[0] = model.get().id();
            update(c, "DELETE FROM config.models WHERE id = ?", model.get().id());
            return DeleteOutcome.DELETED;
        });
        if (outcome == DeleteOutcome.DELETED) {
            fire("model", id[0], slug, Change.DELETED);
        }
        return outcome;
    }

    @Override
    public DeleteOutcome deleteSync(String slug) {
        long[] id = new long[1];
        DeleteOutcome outcome = db.inTransaction(c -> {
            Optional<Sync> sync = store.findSyncBySlug(c, slug);
            if (sync.isEmpty()) {
                return DeleteOutcome.NOT_FOUND;
            }
            id[0] = sync.get().id();
            // disabled first (same transaction), so a scheduler reading the row mid-way never starts it again
            update(c, "UPDATE config.syncs SET disabled = true WHERE id = ?", sync.get().id());
            update(c, "DELETE FROM config.syncs WHERE id = ?", sync.get().id());
            return DeleteOutcome.DELETED;
        });
        if (outcome == DeleteOutcome.DELETED) {
            fire("sync", id[0], slug, Change.DELETED);
        }
        return outcome;
    }

    @Override
    public List<String> syncsUsingModel(String slug) {
        return db.inTransaction(c -> {
            Optional<Model> model = findModel(c, slug);
            List<String> slugs = new ArrayList<>();
            if (model.isPresent()) {
                for (long id : store.syncIdsOf(c, "model_id", model.get().id())) {
                    store.findSync(c, id).ifPresent(s -> slugs.add(s.slug()));
                }
            }
            return slugs;
        });
    }

    private Optional<Model> findModel(Connection c, String slug) throws SQLException {
        return store.listModels(c, new Filter(slug, null)).stream().findFirst();
    }

    private Map<Long, String> sourceSlugs(Connection c) throws SQLException {
        Map<Long, String> slugs = new HashMap<>();
        store.listSources(c, Filter.NONE).forEach(s -> slugs.put(s.id(), s.slug()));
        return slugs;
    }

    private static ModelDocument document(Model m, Map<Long, String> sources) {
        return new ModelDocument(m.slug(), m.name(), sources.get(m.sourceId()), m.queryType(), m.rawSql(), m.tableName(),
                null, m.primaryKey(), m.updatedAt());
    }

    private static SyncDocument document(Sync s, Map<Long, String> models, Map<Long, String> destinations) {
        return new SyncDocument(s.slug(), models.get(s.modelId()), destinations.get(s.destinationId()), s.configuration(),
                s.schedule(), s.schedulePaused(), s.disabled(), s.updatedAt());
    }

    private static Timestamp now() {
        return Timestamp.from(Instant.now());
    }

    private static String json(Object node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static void update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }
}
