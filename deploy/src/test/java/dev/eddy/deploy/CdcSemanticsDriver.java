package dev.eddy.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.testsupport.RecordingHttpSink;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the CDC end-to-end tests share: one launched suite, a recording destination, the warehouse, and
 * runs triggered through the public API (after editing the model or the sync through it, when a test changes
 * what the sync sends), their terminal {@link RunEvent} read from {@code eddy.run-events.v1}.
 */
final class CdcSemanticsDriver implements AutoCloseable {

    final LaunchedSuite suite;
    final EddyApi api;
    final RecordingHttpSink sink = new RecordingHttpSink();
    private final List<RunEvent> runEvents = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile boolean reading = true;
    private String sourceId;
    /** The port the warehouse source is created with (the suite's PostgreSQL unless a test puts a proxy in front). */
    int warehousePort;

    CdcSemanticsDriver(Path home) throws Exception {
        this(home, Map.of());
    }

    /** A driver whose launcher gets {@code environment} on top of the suite's own settings. */
    CdcSemanticsDriver(Path home, Map<String, String> environment) throws Exception {
        suite = new LaunchedSuite(home.resolve("eddy-home"), "cdc-api-key");
        environment.forEach(suite::withEnvironment);
        suite.start();
        warehousePort = suite.postgresPort();
        api = new EddyApi(suite.apiBase(), suite.apiKey);
        String bootstrap = bootstrap();
        reader = new Thread(() -> read(bootstrap), "cdc-e2e-reader");
        reader.setDaemon(true);
        reader.start();
    }

    String bootstrap() {
        return "127.0.0.1:" + suite.ports.get("EDDY_KAFKA_PORT");
    }

    private void read(String bootstrap) {
        try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(
                KafkaSettings.consumer(bootstrap, Optional.empty(), "cdc-e2e-" + UUID.randomUUID()))) {
            consumer.subscribe(List.of(Topics.RUN_EVENTS));
            while (reading) {
                for (ConsumerRecord<String, Object> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.value() instanceof RunEvent event) {
                        runEvents.add(event);
                    }
                }
            }
        }
    }

    /** Creates (once) the warehouse source, then a model on {@code sql} and a webhook sync to the sink. */
    String createSync(String slug, String sql, Map<String, Object> configuration) {
        if (sourceId == null) {
            sourceId = api.create("/api/v1/sources", Map.of("name", "Warehouse", "slug", "cdc-warehouse", "type", "postgres",
                    "configuration", Map.of("host", "127.0.0.1", "port", warehousePort, "database", "warehouse",
                            "user", suite.warehouseUser(), "password", suite.warehousePassword()))).get("id").asText();
        }
        String modelId = api.create("/api/v1/models", Map.of("name", slug, "slug", slug + "-model", "sourceId", sourceId,
                "queryType", "raw_sql", "raw", Map.of("sql", sql), "primaryKey", "id")).get("id").asText();
        String destinationId = api.create("/api/v1/destinations", Map.of("name", slug, "slug", slug + "-sink",
                "type", "webhook", "configuration", Map.of("url", sink.url()))).get("id").asText();
        return api.create("/api/v1/syncs", Map.of("slug", slug, "modelId", modelId, "destinationId", destinationId,
                "disabled", false, "schedule", Map.of("type", "manual"), "configuration", configuration)).get("id").asText();
    }

    /** Triggers through the API and waits for the run's terminal state in the run history. */
    JsonNode triggerAndAwait(String syncId, Map<String, Object> body) {
        EddyApi.Reply trigger = api.post("/api/v1/syncs/" + syncId + "/trigger", body);
        assertEquals(200, trigger.status(), trigger.raw());
        return awaitTerminal(syncId, trigger.body().get("id").asText(), Duration.ofSeconds(90));
    }

    JsonNode triggerAndAwait(String syncId) {
        return triggerAndAwait(syncId, Map.of());
    }

    JsonNode awaitTerminal(String syncId, String runId, Duration atMost) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode data = api.get("/api/v1/syncs/" + syncId + "/runs?runId=" + runId).body().get("data");
            if (data == null || data.isEmpty()) {
                return false;
            }
            last[0] = data.get(0);
            return List.of("success", "warning", "failed", "cancelled", "interrupted").contains(last[0].get("status").asText());
        });
        return last[0];
    }

    /**
     * Edits the sync as a user does, through the API — {@code edit} gets a spec-shaped view, {@code model.sql} and
     * {@code configuration.mappings}, and what it changes is PATCHed to the model and the sync — then triggers it
     * through the API and answers the run's terminal event. (A trigger cannot carry an edited spec: the scheduler
     * runs the sync's spec from the config topic.)
     */
    RunEvent triggerAfterEditing(String syncId, Consumer<ObjectNode> edit) {
        JsonNode sync = api.get("/api/v1/syncs/" + syncId).body();
        String modelId = sync.get("modelId").asText();
        JsonNode model = api.get("/api/v1/models/" + modelId).body();
        ObjectNode view = EddyApi.JSON.createObjectNode();
        view.putObject("model").put("sql", model.get("raw").get("sql").asText());
        view.set("configuration", sync.get("configuration").deepCopy());
        ObjectNode before = view.deepCopy();
        edit.accept(view);
        if (!before.get("model").equals(view.get("model"))) {
            EddyApi.Reply patched = api.patch("/api/v1/models/" + modelId, Map.of("raw", Map.of("sql", view.get("model").get("sql").asText())));
            assertEquals(200, patched.status(), patched.raw());
        }
        if (!before.get("configuration").equals(view.get("configuration"))) {
            EddyApi.Reply patched = api.patch("/api/v1/syncs/" + syncId, Map.of("configuration", view.get("configuration")));
            assertEquals(200, patched.status(), patched.raw());
        }
        EddyApi.Reply trigger = api.post("/api/v1/syncs/" + syncId + "/trigger", Map.of());
        assertEquals(200, trigger.status(), trigger.raw());
        String runId = trigger.body().get("id").asText();
        await().atMost(Duration.ofSeconds(90)).until(() -> terminal(runId).isPresent());
        return terminal(runId).orElseThrow();
    }

    /** The run's events seen so far on {@code eddy.run-events.v1}, each as {@code producer:status}. */
    List<String> runStatuses(String runId) {
        return runEvents.stream().filter(e -> e.getRunId().equals(runId))
                .map(e -> e.getProducer() + ":" + e.getStatus()).toList();
    }

    private Optional<RunEvent> terminal(String runId) {
        return runEvents.stream().filter(e -> e.getRunId().equals(runId) && e.getTerminal()).findFirst();
    }

    /** Every row the sink received, by op, in arrival order (replays included). */
    Map<String, List<String>> receivedOps() {
        Map<String, List<String>> ops = new HashMap<>();
        for (RecordingHttpSink.Request request : sink.requests()) {
            for (JsonNode item : json(request.body()).get("batch")) {
                ops.computeIfAbsent(item.get("op").asText(), k -> new ArrayList<>()).add(item.get("primaryKey").asText());
            }
        }
        return ops;
    }

    /** Every row item the sink received (replays included). */
    List<JsonNode> receivedItems() {
        List<JsonNode> items = new ArrayList<>();
        for (RecordingHttpSink.Request request : sink.requests()) {
            json(request.body()).get("batch").forEach(items::add);
        }
        return items;
    }

    /**
     * The serialised value sizes of every record keyed {@code key} on each of {@code topics}, read from the beginning
     * up to the topics' current ends (values left undecoded: only their sizes are wanted).
     */
    Map<String, List<Integer>> recordSizes(List<String> topics, String key) {
        Map<String, Object> settings = new HashMap<>(KafkaSettings.consumer(bootstrap(), Optional.empty(),
                "cdc-e2e-sizes-" + UUID.randomUUID()));
        settings.put("value.deserializer", ByteArrayDeserializer.class.getName());
        Map<String, List<Integer>> sizes = new HashMap<>();
        topics.forEach(topic -> sizes.put(topic, new ArrayList<>()));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings)) {
            List<TopicPartition> partitions = topics.stream()
                    .flatMap(topic -> consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition())))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(record.key())) {
                        sizes.get(record.topic()).add(record.serializedValueSize());
                    }
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
            });
        }
        return sizes;
    }

    static JsonNode json(String text) {
        try {
            return EddyApi.JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    void sql(String... statements) {
        try (Connection c = suite.warehouse();
             Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new AssertionError("warehouse SQL failed: " + e.getMessage(), e);
        }
    }

    static void assertCounts(JsonNode counts, int added, int changed, int removed) {
        assertEquals(List.of(added, changed, removed), List.of(counts.get("addedCount").asInt(),
                counts.get("changedCount").asInt(), counts.get("removedCount").asInt()), counts.toString());
    }

    static void assertCounts(dev.eddy.contracts.avro.Counts counts, long added, long changed, long removed) {
        assertEquals(List.of(added, changed, removed), List.of(counts.getAddedCount(), counts.getChangedCount(),
                counts.getRemovedCount()), counts.toString());
    }

    @Override
    public void close() throws Exception {
        reading = false;
        reader.join(5000);
        sink.close();
        suite.close();
    }
}
