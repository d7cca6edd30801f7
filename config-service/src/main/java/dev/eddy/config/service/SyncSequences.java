package dev.eddy.config.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.config.domain.Sequence;
import dev.eddy.config.service.ConfigChanged.Change;
import dev.eddy.config.store.CatalogStore;
import dev.eddy.config.store.Database;
import dev.eddy.config.store.SequenceStore;
import dev.eddy.contracts.schedule.ScheduleValidator;
import dev.eddy.contracts.validation.KnownKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * Sync sequences ({@code /api/v1/sync-sequences}): create, read, JSON-merge PATCH ({@code schedule} and
 * {@code steps} are replaced whole) and delete. Every problem of a body is answered at once (422, by field).
 * Fires {@link ConfigChanged} (kind {@code sequence}) after each commit, which publishes the sequence to the
 * config topic for the scheduler's timers.
 */
@ApplicationScoped
public class SyncSequences {

    static final Set<String> POLICIES = Set.of(Sequence.STOP_ON_FATAL, Sequence.STOP_ON_FATAL_OR_REJECTED, Sequence.NEVER);

    private final Database db;
    private final SequenceStore store;
    private final CatalogStore catalog;
    private final Event<ConfigChanged> changes;

    public SyncSequences(Database db, SequenceStore store, CatalogStore catalog, Event<ConfigChanged> changes) {
        this.db = db;
        this.store = store;
        this.catalog = catalog;
        this.changes = changes;
    }

    private record Input(String name, String slug, ObjectNode schedule, boolean paused, ArrayNode steps) {
    }

    public Sequence create(JsonNode body) {
        Sequence created = db.inTransaction(c -> {
            Input in = validate(c, body, body, -1);
            return Catalog.uniqueSlug(() -> store.insert(c, in.name(), in.slug(), in.schedule(), in.paused(), in.steps()));
        });
        fire(created, Change.CREATED);
        return created;
    }

    public Sequence update(String id, JsonNode patch) {
        long key = Catalog.parseId("sync sequence", id);
        Sequence updated = db.inTransaction(c -> {
            Sequence current = store.lock(c, key).orElseThrow(() -> new UnknownObjectException("sync sequence", id));
            ObjectNode body = JsonNodeFactory.instance.objectNode().put("name", current.name()).put("slug", current.slug())
                    .put("schedulePaused", current.schedulePaused());
            body.set("schedule", current.schedule().deepCopy());
            body.set("steps", current.steps().deepCopy());
            Input in = validate(c, Catalog.merge(body, patch, Set.of("schedule", "steps")), patch, key);
            return Catalog.uniqueSlug(() -> store.update(c, key, in.name(), in.slug(), in.schedule(), in.paused(), in.steps()));
        });
        fire(updated, Change.UPDATED);
        return updated;
    }

    /** Deletes the sequence; its pending and running runs end {@code cancelled} (a step's sync run in flight finishes). */
    public void delete(String id, SequenceRunner runner) {
        long key = Catalog.parseId("sync sequence", id);
        Sequence deleted = db.inTransaction(c -> {
            Sequence current = store.lock(c, key).orElseThrow(() -> new UnknownObjectException("sync sequence", id));
            runner.cancelOpenRuns(c, key, "the sync sequence was deleted");
            store.delete(c, key);
            return current;
        });
        fire(deleted, Change.DELETED);
    }

    public Sequence get(String id) {
        long key = Catalog.parseId("sync sequence", id);
        return db.inTransaction(c -> store.find(c, key)).orElseThrow(() -> new UnknownObjectException("sync sequence", id));
    }

    public List<Sequence> list(String slug, int limit, int offset) {
        return db.inTransaction(c -> store.list(c, slug, limit, offset));
    }

    /** A sequence body's keys, steps included ({@code id}, {@code createdAt}, {@code updatedAt} are read-only). */
    static final KnownKeys KEYS = KnownKeys.of("name", "slug", "schedule", "schedulePaused")
            .withEach("steps", KnownKeys.of("syncId", "failurePolicy")).tolerating("id", "createdAt", "updatedAt");

    /**
     * @param sent the body the client sent (a create, or a PATCH): its keys are checked, so keys stored before they
     *              were refused do not block editing
     */
    private Input validate(Connection c, JsonNode body, JsonNode sent, long self) throws SQLException {
        FieldProblems p = new FieldProblems();
        p.unknownKeys(KEYS, sent, "");
        if (sent.get("schedule") instanceof ObjectNode givenSchedule) {
            Catalog.validateScheduleProblems(ScheduleValidator.unknownKeys(givenSchedule), p);
        }
        String name = Catalog.nameOf(body, p);
        String slug = Catalog.slugOf(body, p);
        if (slug != null && store.list(c, slug, 1, 0).stream().anyMatch(s -> s.id() != self)) {
            p.add("slug", "slug is already used");
        }
        ObjectNode schedule = p.object(body, "schedule", "schedule", false);
        if (schedule == null) {
            schedule = JsonNodeFactory.instance.objectNode().put("type", "manual");
        } else {
            schedule = schedule.deepCopy();
        }
        if (!schedule.has("schedule")) {
            schedule.putNull("schedule");
        }
        Catalog.validateSchedule(schedule, p);
        boolean paused = p.optionalBoolean(body, "schedulePaused", "schedulePaused", false);
        ArrayNode steps = JsonNodeFactory.instance.arrayNode();
        JsonNode given = body.get("steps");
        if (given == null || given.isNull()) {
            p.add("steps", "is required");
        } else if (!given.isArray() || given.isEmpty()) {
            p.add("steps", "must be a non-empty array of {syncId, failurePolicy}");
        } else {
            for (int i = 0; i < given.size(); i++) {
                String path = "steps[" + i + "]";
                JsonNode step = given.get(i);
                if (!step.isObject()) {
                    p.add(path, "must be an object {syncId, failurePolicy}");
                    continue;
                }
                Long syncId = p.requireId(step, "syncId", path + ".syncId");
                if (syncId != null && catalog.findSync(c, syncId).isEmpty()) {
                    p.add(path + ".syncId", "no sync with id " + syncId);
                }
                String policy = p.optionalText(step, "failurePolicy", path + ".failurePolicy");
                if (policy == null) {
                    policy = Sequence.STOP_ON_FATAL;
                } else if (!POLICIES.contains(policy)) {
                    p.add(path + ".failurePolicy", "must be one of never, stop_on_fatal, stop_on_fatal_or_rejected");
                }
                if (syncId != null) {
                    steps.addObject().put("syncId", Long.toString(syncId)).put("failurePolicy", policy);
                }
            }
        }
        p.throwIfAny();
        return new Input(name, slug, schedule, paused, steps);
    }

    private void fire(Sequence s, Change change) {
        changes.fire(new ConfigChanged("sequence", Long.toString(s.id()), s.slug(), change, CurrentActor.current()));
    }
}
