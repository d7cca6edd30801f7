package dev.eddy.delivery.messaging;

import static dev.eddy.delivery.SinkHeaders.header;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.RunIds;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.Change;
import dev.eddy.contracts.avro.ChangeBatch;
import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.avro.Counts;
import dev.eddy.contracts.avro.DeliveryResult;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.kafka.ConsumerLoop;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.testsupport.EddyInfrastructureResource;
import dev.eddy.testsupport.RecordingHttpSink;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Change batches on the real broker reach a real local webhook, and their outcomes come back as events. */
@QuarkusTest
@WithTestResource(EddyInfrastructureResource.class)
class ChangeDeliveryFlowTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<DeliveryResult> RESULTS = new CopyOnWriteArrayList<>();
    private static final List<RunEvent> RUN_EVENTS = new CopyOnWriteArrayList<>();
    private static EventPublisher publisher;
    private static ConsumerLoop<DeliveryResult> resultReader;
    private static ConsumerLoop<RunEvent> runEventReader;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final SecretBox secrets = new SecretBox(EddyInfrastructureResource.SECRET_KEY);
    private final String syncId = "sync-" + UUID.randomUUID();
    private final String runId = RunIds.next();
    private RecordingHttpSink sink;

    @BeforeEach
    void connect() {
        if (publisher == null) {
            publisher = new EventPublisher(KafkaSettings.producer(bootstrapServers, Optional.empty(), "delivery-test"));
            resultReader = new ConsumerLoop<DeliveryResult>("test-results",
                    KafkaSettings.consumer(bootstrapServers, Optional.empty(), "delivery-test-" + UUID.randomUUID()),
                    List.of(Topics.DELIVERY_RESULTS), r -> RESULTS.add(r.value()), null).start();
            runEventReader = new ConsumerLoop<RunEvent>("test-run-events",
                    KafkaSettings.consumer(bootstrapServers, Optional.empty(), "delivery-test-" + UUID.randomUUID()),
                    List.of(Topics.RUN_EVENTS), r -> RUN_EVENTS.add(r.value()), null).start();
        }
        sink = new RecordingHttpSink();
    }

    @AfterEach
    void closeSink() {
        sink.close();
    }

    @AfterAll
    static void disconnect() {
        if (publisher != null) {
            resultReader.close();
            runEventReader.close();
            publisher.close();
        }
    }

    @Test
    void deliversMappedChangesToTheWebhookAndReportsThemAccepted() throws Exception {
        ObjectNode headers = JSON.createObjectNode()
                .put("Authorization", secrets.seal("Bearer hook-token"))
                .put("X-Team", "growth");
        String spec = spec("webhook", sink.url(), headers);

        publish(rows(0, spec,
                change(ChangeOp.ADDED, "1", "{\"id\": 1, \"email\": \"ada@example.com\", \"first_name\": \"Ada\", \"plan\": \"pro\"}"),
                change(ChangeOp.CHANGED, "2", "{\"id\": 2, \"email\": \"bob@example.com\", \"first_name\": \"Bob\", \"plan\": \"free\"}"),
                change(ChangeOp.REMOVED, "3", null)));
        publish(end(1, spec));

        DeliveryResult rows = awaitResult(BatchKind.ROWS, 0);
        assertEquals(List.of("1", "2", "3"), rows.getOutcomes().stream().map(RowOutcome::getPk).toList());
        assertEquals(List.of(ChangeOp.ADDED, ChangeOp.CHANGED, ChangeOp.REMOVED),
                rows.getOutcomes().stream().map(RowOutcome::getOp).toList());
        rows.getOutcomes().forEach(o -> assertEquals(OutcomeStatus.ACCEPTED, o.getStatus()));
        assertNull(awaitResult(BatchKind.END, 1).getFatalError());

        assertEquals(1, sink.requests().size());
        RecordingHttpSink.Request request = sink.requests().get(0);
        assertEquals("POST", request.method());
        assertEquals("/hook", request.path());
        assertEquals("application/json", header(request, "Content-Type"));
        assertEquals("Bearer hook-token", header(request, "Authorization"));
        assertEquals("growth", header(request, "X-Team"));
        JsonNode expected = JSON.readTree("""
                {"syncId": "%s", "runId": "%s", "batch": [
                  {"op": "added", "primaryKey": "1", "row": {"emailAddress": "ada@example.com", "firstName": "Ada"}},
                  {"op": "changed", "primaryKey": "2", "row": {"emailAddress": "bob@example.com", "firstName": "Bob"}},
                  {"op": "removed", "primaryKey": "3", "row": {}}]}""".formatted(syncId, runId));
        assertEquals(expected, JSON.readTree(request.body()));

        await().atMost(WAIT).until(() -> RUN_EVENTS.stream().anyMatch(e -> e.getRunId().equals(runId)));
        RunEvent progress = RUN_EVENTS.stream().filter(e -> e.getRunId().equals(runId)).findFirst().orElseThrow();
        assertEquals(RunStatus.processing, progress.getStatus());
        assertEquals("delivery-service", progress.getProducer());
        assertEquals(syncId, progress.getSyncId());
        assertTrue(!progress.getTerminal());
    }

    @Test
    void aRunsBatchesReachTheDestinationInOrderAndEveryResultPrecedesTheEnd() throws Exception {
        String spec = spec("webhook", sink.url(), null);
        int batches = 6;
        for (int seq = 0; seq < batches; seq++) {
            publish(rows(seq, spec, change(ChangeOp.ADDED, "pk-" + seq,
                    "{\"id\": " + seq + ", \"email\": \"u" + seq + "@example.com\", \"first_name\": \"U\"}")));
        }
        publish(end(batches, spec));

        awaitResult(BatchKind.END, batches);
        // the results topic holds every batch's result, in order, before the END (delivered batches are pipelined)
        List<DeliveryResult> ofRun = RESULTS.stream().filter(r -> r.getRunId().equals(runId)).toList();
        assertEquals(batches + 1, ofRun.size());
        for (int seq = 0; seq < batches; seq++) {
            assertEquals(BatchKind.ROWS, ofRun.get(seq).getKind());
            assertEquals(seq, ofRun.get(seq).getSeq());
            assertEquals(OutcomeStatus.ACCEPTED, ofRun.get(seq).getOutcomes().get(0).getStatus());
        }
        assertEquals(BatchKind.END, ofRun.get(batches).getKind());
        // one request per batch, in the batches' order
        assertEquals(batches, sink.requests().size());
        for (int seq = 0; seq < batches; seq++) {
            assertEquals("pk-" + seq, JSON.readTree(sink.requests().get(seq).body()).path("batch").path(0).path("primaryKey").asText());
        }
    }

    @Test
    void aClientErrorRejectsTheBatchsRowsWithTheStatusAndBody() {
        sink.respondWith(r -> new RecordingHttpSink.Response(400, "{\"error\": \"unknown field emailAddress\"}", Map.of()));
        String spec = spec("webhook", sink.url(), null);

        publish(rows(0, spec, change(ChangeOp.ADDED, "1", "{\"id\": 1, \"email\": \"a@example.com\", \"first_name\": \"A\"}"),
                change(ChangeOp.ADDED, "2", "{\"id\": 2, \"email\": \"b@example.com\", \"first_name\": \"B\"}")));
        publish(end(1, spec));

        DeliveryResult rows = awaitResult(BatchKind.ROWS, 0);
        assertEquals(2, rows.getOutcomes().size());
        for (RowOutcome outcome : rows.getOutcomes()) {
            assertEquals(OutcomeStatus.REJECTED, outcome.getStatus());
            assertTrue(outcome.getReason().startsWith("HTTP 400: "), outcome.getReason());
            assertTrue(outcome.getReason().contains("unknown field emailAddress"), outcome.getReason());
        }
        assertNull(awaitResult(BatchKind.END, 1).getFatalError());
        assertEquals(3, sink.requests().size(), "the refused batch is split once to isolate its rows, never retried with backoff");

        // both undeliverable rows are on the dead-letter topic with their context
        List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> letters = new java.util.ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(Map.of(
                "bootstrap.servers", bootstrapServers, "group.id", "dlt-" + UUID.randomUUID(), "auto.offset.reset", "earliest",
                "key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class.getName(),
                "value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName()))) {
            consumer.subscribe(List.of(Topics.DEAD_LETTER));
            await().atMost(WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (syncId.equals(r.key())) {
                        letters.add(r);
                    }
                });
                return letters.size() >= 2;
            });
        }
        var letter = letters.get(0);
        assertEquals("delivery", new String(letter.headers().lastHeader("eddy.dlt.stage").value()));
        assertEquals(runId, new String(letter.headers().lastHeader("eddy.dlt.run-id").value()));
        assertEquals("REJECTED", new String(letter.headers().lastHeader("eddy.dlt.status").value()));
        assertTrue(new String(letter.headers().lastHeader("eddy.dlt.reason").value()).contains("HTTP 400"));
        assertTrue(new String(letter.value()).contains("@example.com"), "the letter carries the row");
    }

    @Test
    void aServerErrorIsRetriedUntilTheDestinationAccepts() {
        AtomicInteger calls = new AtomicInteger();
        sink.respondWith(r -> calls.incrementAndGet() == 1 ? RecordingHttpSink.Response.status(500) : RecordingHttpSink.Response.ok());
        String spec = spec("webhook", sink.url(), null);

        publish(rows(0, spec, change(ChangeOp.CHANGED, "9", "{\"id\": 9, \"email\": \"z@example.com\", \"first_name\": \"Z\"}")));
        publish(end(1, spec));

        DeliveryResult rows = awaitResult(BatchKind.ROWS, 0);
        assertEquals(OutcomeStatus.ACCEPTED, rows.getOutcomes().get(0).getStatus());
        assertEquals(2, sink.requests().size());
        assertEquals(sink.requests().get(0).body(), sink.requests().get(1).body());
        assertNull(awaitResult(BatchKind.END, 1).getFatalError());
    }

    @Test
    void anUnreachableDestinationFailsTheRunAndItsLaterBatchesAreNotSent() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String spec = spec("webhook", "http://127.0.0.1:" + closedPort + "/hook", null);

        publish(rows(0, spec, change(ChangeOp.ADDED, "1", "{\"id\": 1, \"email\": \"a@example.com\", \"first_name\": \"A\"}")));
        publish(rows(1, spec, change(ChangeOp.ADDED, "2", "{\"id\": 2, \"email\": \"b@example.com\", \"first_name\": \"B\"}")));
        publish(end(2, spec));

        RowOutcome first = awaitResult(BatchKind.ROWS, 0).getOutcomes().get(0);
        assertEquals(OutcomeStatus.FAILED, first.getStatus());
        assertTrue(first.getReason().startsWith("destination unreachable: "), first.getReason());
        RowOutcome second = awaitResult(BatchKind.ROWS, 1).getOutcomes().get(0);
        assertEquals(OutcomeStatus.FAILED, second.getStatus());
        assertTrue(second.getReason().startsWith("not sent: destination unreachable: "), second.getReason());
        String fatal = awaitResult(BatchKind.END, 2).getFatalError();
        assertTrue(fatal != null && fatal.startsWith("destination unreachable: ")
                && fatal.contains("127.0.0.1:" + closedPort), String.valueOf(fatal));
    }

    @Test
    void anUnknownDestinationTypeFailsEveryRow() {
        String spec = spec("carrier-pigeon", sink.url(), null);

        publish(rows(0, spec, change(ChangeOp.ADDED, "1", "{\"id\": 1}"), change(ChangeOp.REMOVED, "2", null)));
        publish(end(1, spec));

        DeliveryResult rows = awaitResult(BatchKind.ROWS, 0);
        assertEquals(2, rows.getOutcomes().size());
        rows.getOutcomes().forEach(o -> assertEquals(OutcomeStatus.FAILED, o.getStatus()));
        assertTrue(awaitResult(BatchKind.END, 1).getFatalError().startsWith("unknown destination type carrier-pigeon"));
        assertTrue(sink.requests().isEmpty());
    }

    @Test
    void isReadyOnceTheConsumerHasJoinedItsGroup() {
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP")));
    }

    private String spec(String destinationType, String url, ObjectNode headers) {
        ObjectNode destination = JSON.createObjectNode().put("url", url);
        if (headers != null) {
            destination.set("headers", headers);
        }
        ObjectNode configuration = JSON.createObjectNode().put("mode", "upsert").put("deleteBehavior", "delete");
        configuration.putArray("mappings")
                .add(JSON.createObjectNode().put("from", "email").put("to", "emailAddress").put("type", "standard"))
                .add(JSON.createObjectNode().put("from", "first_name").put("to", "firstName").put("type", "standard"));
        return new SyncSpec(syncId, "customers-to-hook", 1,
                new SyncSpec.Model("m1", "customers", "customers", "id", "select * from customers"),
                new SyncSpec.Connection("s1", "warehouse", "postgres", JSON.createObjectNode()),
                new SyncSpec.Connection("d1", "hook", destinationType, destination),
                configuration).toJson();
    }

    private static Change change(ChangeOp op, String pk, String data) {
        return Change.newBuilder().setOp(op).setPk(pk).setData(data).build();
    }

    private ChangeBatch rows(int seq, String spec, Change... changes) {
        return ChangeBatch.newBuilder().setRunId(runId).setSyncId(syncId).setSeq(seq).setKind(BatchKind.ROWS)
                .setChanges(List.of(changes)).setSpecJson(spec).build();
    }

    private ChangeBatch end(int seq, String spec) {
        return ChangeBatch.newBuilder().setRunId(runId).setSyncId(syncId).setSeq(seq).setKind(BatchKind.END)
                .setChanges(List.of()).setPlanned(Counts.newBuilder().setAddedCount(seq).build()).setSpecJson(spec).build();
    }

    private void publish(ChangeBatch batch) {
        publisher.sendAndWait(Topics.CHANGES, syncId, batch);
    }

    private DeliveryResult awaitResult(BatchKind kind, int seq) {
        await().atMost(WAIT).until(() -> find(kind, seq).isPresent());
        return find(kind, seq).orElseThrow();
    }

    private Optional<DeliveryResult> find(BatchKind kind, int seq) {
        return RESULTS.stream().filter(r -> r.getRunId().equals(runId) && r.getKind() == kind && r.getSeq() == seq).findFirst();
    }
}
