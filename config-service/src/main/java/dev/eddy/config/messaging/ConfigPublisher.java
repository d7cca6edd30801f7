package dev.eddy.config.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.config.domain.Destination;
import dev.eddy.config.domain.Model;
import dev.eddy.config.domain.Sequence;
import dev.eddy.config.domain.Source;
import dev.eddy.config.domain.Sync;
import dev.eddy.config.rest.Views;
import dev.eddy.config.service.ConfigChanged;
import dev.eddy.config.service.DestinationDetails;
import dev.eddy.config.service.ModelDetails;
import dev.eddy.config.service.SyncDetails;
import dev.eddy.config.service.SyncSpecs;
import dev.eddy.config.store.CatalogStore;
import dev.eddy.config.store.ConfigSchema;
import dev.eddy.config.store.Database;
import dev.eddy.config.store.ListQuery;
import dev.eddy.config.store.RunStore;
import dev.eddy.config.store.SequenceStore;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.ConfigChange;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.spec.SyncSpec;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Publishes config changes to the compacted {@link Topics#CONFIG} topic, keyed {@code <kind>:<id>}: the API
 * view of the object with secrets removed (kind {@code sequence}: a sync sequence's schedule and steps), and for every sync touched (directly or through its model,
 * source or destination) kind {@code sync-spec}, its runnable {@link SyncSpec} with secrets sealed. A
 * delete publishes tombstones. At start every object is republished, so the topic converges even when a
 * publish after a commit failed.
 */
@ApplicationScoped
public class ConfigPublisher {

    private static final Logger LOG = Logger.getLogger(ConfigPublisher.class);

    private final Database db;
    private final CatalogStore store;
    private final RunStore runs;
    private final EventPublisher publisher;
    private final ObjectMapper json;
    private final SequenceStore sequences;

    public ConfigPublisher(Database db, CatalogStore store, RunStore runs, EventPublisher publisher, ObjectMapper json,
                           SequenceStore sequences) {
        this.db = db;
        this.store = store;
        this.runs = runs;
        this.publisher = publisher;
        this.json = json;
        this.sequences = sequences;
    }

    /** After a committed change: never fails the request that made it (the database is the truth). */
    void onChange(@Observes ConfigChanged change) {
        try {
            publish(change);
        } catch (RuntimeException e) {
            LOG.warnf("config change %s:%s not published (republished at next start): %s", change.kind(), change.id(), e.getMessage());
        }
    }

    void onStart(@Observes @Priority(ConfigSchema.STARTUP_PRIORITY + 50) StartupEvent event) {
        Thread thread = new Thread(() -> {
            try {
                int count = republishAll();
                LOG.infof("republished %d config objects to %s", count, Topics.CONFIG);
            } catch (RuntimeException e) {
                LOG.warnf("config objects not republished at start: %s", e.getMessage());
            }
        }, "config-republish");
        thread.setDaemon(true);
        thread.start();
    }

    private void publish(ConfigChanged change) {
        String key = change.kind() + ":" + change.id();
        long id = Long.parseLong(change.id());
        if (change.change() == ConfigChanged.Change.DELETED) {
            publisher.tombstone(Topics.CONFIG, key);
            if (change.kind().equals("sync")) {
                publisher.tombstone(Topics.CONFIG, "sync-spec:" + change.id());
            }
            return;
        }
        db.inTransaction(c -> {
            List<Long> affectedSyncs = switch (change.kind()) {
                case "source" -> {
                    store.findSource(c, id).ifPresent(s -> send("source", s.id(), s.updatedAt(), sourceJson(s)));
                    yield store.syncIdsOfSource(c, id);
                }
                case "destination" -> {
                    Optional<Destination> d = store.findDestination(c, id);
                    List<Long> syncs = store.syncIdsOf(c, "destination_id", id);
                    d.ifPresent(x -> send("destination", x.id(), x.updatedAt(), destinationJson(new DestinationDetails(x, syncs))));
                    yield syncs;
                }
                case "model" -> {
                    Optional<Model> m = store.findModel(c, id);
                    List<Long> syncs = store.syncIdsOf(c, "model_id", id);
                    m.ifPresent(x -> send("model", x.id(), x.updatedAt(), modelJson(new ModelDetails(x, syncs))));
                    yield syncs;
                }
                case "sync" -> List.of(id);
                case "sequence" -> {
                    sequences.find(c, id).ifPresent(x -> send("sequence", x.id(), x.updatedAt(), sequenceJson(x)));
                    yield List.of();
                }
                default -> List.of();
            };
            for (long syncId : affectedSyncs) {
                publishSync(c, syncId);
            }
            return null;
        });
    }

    /** Republishes every object and every sync spec; answers how many records were sent. */
    public int republishAll() {
        return db.inTransaction(c -> {
            ListQuery all = ListQuery.of(null, null);
            int n = 0;
            for (Source s : store.listSources(c, all)) {
                sendAsync("source", s.id(), s.updatedAt(), sourceJson(s));
                n++;
            }
            for (Destination d : store.listDestinations(c, all)) {
                sendAsync("destination", d.id(), d.updatedAt(), destinationJson(new DestinationDetails(d, store.syncIdsOf(c, "destination_id", d.id()))));
                n++;
            }
            for (Model m : store.listModels(c, all)) {
                sendAsync("model", m.id(), m.updatedAt(), modelJson(new ModelDetails(m, store.syncIdsOf(c, "model_id", m.id()))));
                n++;
            }
            Set<Long> syncs = new LinkedHashSet<>();
            for (Sync s : store.listSyncs(c, all)) {
                syncs.add(s.id());
            }
            for (long id : syncs) {
                n += publishSync(c, id);
            }
            for (Sequence q : sequences.list(c, null, Integer.MAX_VALUE, 0)) {
                sendAsync("sequence", q.id(), q.updatedAt(), sequenceJson(q));
                n++;
            }
            publisher.flush();
            return n;
        });
    }

    private int publishSync(Connection c, long syncId) throws SQLException {
        Optional<Sync> found = store.findSync(c, syncId);
        if (found.isEmpty()) {
            return 0;
        }
        Sync sync = found.get();
        Model model = store.findModel(c, sync.modelId()).orElse(null);
        send("sync", sync.id(), sync.updatedAt(), syncJson(new SyncDetails(sync, model, runs.latest(c, sync.id()))));
        if (model == null) {
            return 1;
        }
        Optional<Source> source = store.findSource(c, model.sourceId());
        Optional<Destination> destination = store.findDestination(c, sync.destinationId());
        if (source.isEmpty() || destination.isEmpty()) {
            return 1;
        }
        SyncSpec spec = SyncSpecs.resolve(sync, model, source.get(), destination.get());
        sendRecord("sync-spec", sync.id(), spec.configVersion(), spec.toJson(), true);
        return 2;
    }

    private String sourceJson(Source s) {
        ObjectNode view = json.valueToTree(Views.source(s));
        view.set("configuration", SecretBox.withoutSecrets(s.configuration()));
        return view.toString();
    }

    private String destinationJson(DestinationDetails d) {
        ObjectNode view = json.valueToTree(Views.destination(d));
        view.set("configuration", SecretBox.withoutSecrets(d.destination().configuration()));
        return view.toString();
    }

    private String modelJson(ModelDetails m) {
        return json.valueToTree(Views.model(m)).toString();
    }

    /** What the scheduler needs of a sequence: its schedule and whether it is paused (steps for readers' interest). */
    private String sequenceJson(Sequence q) {
        ObjectNode view = json.createObjectNode().put("id", Long.toString(q.id())).put("slug", q.slug())
                .put("name", q.name()).put("schedulePaused", q.schedulePaused());
        view.set("schedule", q.schedule());
        view.set("steps", q.steps());
        return view.toString();
    }

    private String syncJson(SyncDetails s) {
        ObjectNode view = json.valueToTree(Views.sync(s));
        view.set("configuration", SecretBox.withoutSecrets(s.sync().configuration()));
        return view.toString();
    }

    private void send(String kind, long id, Instant version, String body) {
        sendRecord(kind, id, version.toEpochMilli(), body, true);
    }

    private void sendAsync(String kind, long id, Instant version, String body) {
        sendRecord(kind, id, version.toEpochMilli(), body, false);
    }

    private void sendRecord(String kind, long id, long version, String body, boolean wait) {
        ConfigChange change = ConfigChange.newBuilder().setKind(kind).setId(Long.toString(id)).setVersion(version)
                .setJson(body).setAt(Instant.now()).build();
        String key = kind + ":" + id;
        if (wait) {
            publisher.sendAndWait(Topics.CONFIG, key, change);
        } else {
            publisher.send(Topics.CONFIG, key, change);
        }
    }
}
