package dev.eddy.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.RunIds;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.avro.TriggerEvent;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.testsupport.RecordingHttpSink;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the CDC end-to-end tests share: one launched suite, a recording destination, the warehouse, and
 * runs triggered either through the public API or, when a test needs to change what the sync sends
 * without an update API, by publishing a trigger with an edited sync spec to {@code eddy.triggers.v1}
 * (as any external producer may), its terminal {@link RunEvent} read from {@code eddy.run-events.v1}.
 */
final class CdcSemanticsDriver implements AutoCloseable {

    final LaunchedSuite suite;
    final EddyApi api;
    final RecordingHttpSink sink = new RecordingHttpSink();
    private final EventPublisher publisher;
    private final Map<String, String> lastSpecBySync = new ConcurrentHashMap<>();
    private final List<RunEvent> runEvents = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile boolean reading = true;
    private String sourceId;

    CdcSemanticsDriver(Path home) throws Exception {
        suite = new LaunchedSuite(home.resolve("eddy-home"), "cdc-api-key");
        suite.start();
        api = new EddyApi(suite.apiBase(), suite.apiKey);
        String bootstrap = bootstrap();
        publisher = new EventPublisher(KafkaSettings.producer(bootstrap, Optional.empty(), "cdc-e2e-test"));
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
            consumer.subscribe(List.of(Topics.RUN_REQUESTS, Topics.RUN_EVENTS));
            while (reading) {
                for (ConsumerRecord<String, Object> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.value() instanceof RunRequest request) {
                        lastSpecBySync.put(request.getSyncId(), request.getSpecJson());
                    } else if (record.value() instanceof RunEvent event) {
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
                    "configuration", Map.of("host", "127.0.0.1", "port", suite.postgresPort(), "database", "warehouse",
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
     * Runs the sync with its last run's spec as edited by {@code edit} (the model SQL or the mappings), and
     * answers the run's terminal event.
     */
    RunEvent triggerWithEditedSpec(String syncId, Consumer<ObjectNode> edit) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> lastSpecBySync.containsKey(syncId));
        ObjectNode spec = (ObjectNode) EddyApi.JSON.readTree(lastSpecBySync.get(syncId));
        edit.accept(spec);
        String runId = RunIds.next();
        publisher.sendAndWait(Topics.TRIGGERS, syncId, TriggerEvent.newBuilder()
                .setTriggerId(UUID.randomUUID().toString())
                .setSource("external")
                .setSyncId(syncId)
                .setRunId(runId)
                .setSpecJson(EddyApi.JSON.writeValueAsString(spec))
                .setRequestedAt(Instant.now())
                .build());
        await().atMost(Duration.ofSeconds(90)).until(() -> terminal(runId).isPresent());
        return terminal(runId).orElseThrow();
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
        publisher.close();
        sink.close();
        suite.close();
    }
}
