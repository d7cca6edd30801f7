package dev.eddy.extractor.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.RunIds;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.Row;
import dev.eddy.contracts.avro.RowBatch;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.testsupport.EddyInfrastructureResource;
import dev.eddy.testsupport.FaultProxy;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The extractor against the real broker and the real demo warehouse (PROTOCOL.md step 3). */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class RunRequestHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TopicRecorder recorder;
    private static EventPublisher publisher;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    @Inject
    WarehouseTestConfig warehouse;

    @BeforeEach
    void startClients() throws Exception {
        if (recorder == null) {
            recorder = new TopicRecorder(bootstrapServers, List.of(Topics.ROWS, Topics.RUN_EVENTS));
            publisher = new EventPublisher(KafkaSettings.producer(bootstrapServers, Optional.empty(), "extractor-test"));
            try (Connection c = DriverManager.getConnection(warehouse.jdbcUrl(), "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS extractor_test_types");
                s.execute("""
                        CREATE TABLE extractor_test_types (
                          id bigint PRIMARY KEY, amount numeric(20,2), ratio float8, active boolean,
                          seen_at timestamptz, day date, doc jsonb, tags int[], blob bytea, note text)""");
                s.execute("""
                        INSERT INTO extractor_test_types VALUES
                          (1, 1.50, 0.1, true, '2026-03-01 10:00:00+01', '2026-03-01', '{"b": [1, 2], "a": "x"}',
                           '{1,2,3}', '\\x010203', ''),
                          (2, 12345678901.99, null, false, null, null, null, null, null, null)""");
            }
        }
    }

    @AfterAll
    static void stopClients() throws Exception {
        if (recorder != null) {
            recorder.close();
            publisher.close();
            recorder = null;
        }
    }

    @Test
    void readinessIsUpOnceTheConsumerJoinedItsGroup() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")));
    }

    @Test
    void everyRowOfTheModelIsPublishedInNumberedBatchesThenEnd() throws Exception {
        RunRequest request = request(spec("SELECT * FROM customers ORDER BY id", "id", List.of()), true);
        publisher.sendAndWait(Topics.RUN_REQUESTS, request.getSyncId(), request);

        RowBatch end = awaitEnd(request);
        List<RowBatch> batches = rowBatches(request);
        assertNull(end.getError());
        assertEquals(10L, end.getQuerySize());
        assertEquals(List.of("id", "email", "first_name", "last_name", "plan", "ltv", "updated_at"), end.getColumns());
        assertEquals(4, end.getSeq(), "10 rows in batches of 3");
        assertEquals(List.of(0, 1, 2, 3), batches.stream().map(RowBatch::getSeq).toList());
        assertTrue(batches.stream().allMatch(b -> b.getAttempt() == end.getAttempt() && b.getFullResync()
                && b.getSpecJson().equals(request.getSpecJson())));
        assertTrue(end.getFullResync());

        List<Row> rows = batches.stream().flatMap(b -> b.getRows().stream()).toList();
        assertEquals(List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10"), rows.stream().map(Row::getPk).toList());
        assertTrue(rows.stream().allMatch(r -> r.getHash().remaining() == 16));
        JsonNode grace = JSON.readTree(rows.get(1).getData());
        assertEquals("grace@example.com", grace.get("email").textValue());
        assertTrue(rows.get(1).getData().contains("\"ltv\":640.50"), rows.get(1).getData());
        assertTrue(grace.get("ltv").isNumber());
        assertTrue(grace.get("updated_at").textValue().endsWith("Z"));
        Instant.parse(grace.get("updated_at").textValue());

        RunEvent querying = awaitRunEvent(request);
        assertEquals(RunStatus.querying, querying.getStatus());
        assertEquals("extractor-service", querying.getProducer());
        assertNotNull(querying.getStartedAt());
        assertFalse(querying.getTerminal());
    }

    @Test
    void valuesArriveAsNaturalJson() throws Exception {
        RunRequest request = request(spec("SELECT * FROM extractor_test_types ORDER BY id;", "id", List.of()), false);
        publisher.sendAndWait(Topics.RUN_REQUESTS, request.getSyncId(), request);

        assertEquals(2L, awaitEnd(request).getQuerySize());
        List<Row> rows = rows(request);
        JsonNode first = JSON.readTree(rows.get(0).getData());
        assertTrue(rows.get(0).getData().contains("\"amount\":1.50,\"ratio\":0.1,"), rows.get(0).getData());
        assertTrue(first.get("active").booleanValue());
        assertEquals("2026-03-01T09:00:00Z", first.get("seen_at").textValue());
        assertEquals("2026-03-01", first.get("day").textValue());
        assertEquals("x", first.get("doc").get("a").textValue());
        assertEquals(3, first.get("tags").size());
        assertEquals(3, first.get("tags").get(2).intValue());
        assertEquals(Base64.getEncoder().encodeToString(new byte[]{1, 2, 3}), first.get("blob").textValue());
        assertEquals("", first.get("note").textValue());
        JsonNode second = JSON.readTree(rows.get(1).getData());
        assertTrue(rows.get(1).getData().contains("\"amount\":12345678901.99,"), rows.get(1).getData());
        assertTrue(second.get("seen_at").isNull() && second.get("doc").isNull() && second.get("note").isNull());
    }

    @Test
    void columnOrderNumericScaleAndUnmappedColumnsDoNotChangeTheHash() {
        RunRequest plain = request(spec("SELECT id, amount, seen_at, doc, tags, note FROM extractor_test_types",
                "id", List.of("amount", "seen_at", "doc", "tags")), false);
        RunRequest reshaped = request(spec("""
                SELECT tags, doc::json AS doc, seen_at, amount::numeric(20,6) AS amount, 'other' AS note, id
                FROM extractor_test_types""", "id", List.of("amount", "seen_at", "doc", "tags")), false);
        RunRequest changed = request(spec("SELECT id, amount + 1 AS amount, seen_at, doc, tags FROM extractor_test_types",
                "id", List.of("amount", "seen_at", "doc", "tags")), false);
        for (RunRequest r : List.of(plain, reshaped, changed)) {
            publisher.sendAndWait(Topics.RUN_REQUESTS, r.getSyncId(), r);
        }
        awaitEnd(plain);
        awaitEnd(reshaped);
        awaitEnd(changed);

        Map<String, ByteBuffer> expected = hashes(plain);
        assertEquals(2, expected.size());
        assertEquals(expected, hashes(reshaped));
        Map<String, ByteBuffer> other = hashes(changed);
        assertFalse(expected.get("1").equals(other.get("1")));
        assertFalse(expected.get("2").equals(other.get("2")));
    }

    @Test
    void aFailingQueryEndsWithTheWarehouseMessage() {
        RunRequest request = request(spec("SELECT * FROM no_such_table", "id", List.of()), false);
        publisher.sendAndWait(Topics.RUN_REQUESTS, request.getSyncId(), request);

        RowBatch end = awaitEnd(request);
        assertEquals("QUERY_FAILED", end.getErrorCode());
        assertTrue(end.getError().contains("relation \"no_such_table\" does not exist"), end.getError());
        assertEquals(0, end.getSeq());
        assertNull(end.getQuerySize());
    }

    @Test
    void aMissingPrimaryKeyColumnIsNamedWithTheColumnsTheQueryReturns() {
        RunRequest request = request(spec("SELECT id, email FROM customers", "customer_id", List.of()), false);
        publisher.sendAndWait(Topics.RUN_REQUESTS, request.getSyncId(), request);

        RowBatch end = awaitEnd(request);
        assertEquals("QUERY_COLUMN_MISSING", end.getErrorCode());
        assertTrue(end.getError().contains("\"customer_id\"") && end.getError().contains("id, email"), end.getError());
    }

    @Test
    void aMissingMappedColumnIsNamed() {
        RunRequest request = request(spec("SELECT id, email FROM customers", "id", List.of("email", "phone")), false);
        publisher.sendAndWait(Topics.RUN_REQUESTS, request.getSyncId(), request);

        RowBatch end = awaitEnd(request);
        assertEquals("QUERY_COLUMN_MISSING", end.getErrorCode());
        assertTrue(end.getError().contains("\"phone\"") && !end.getError().contains("\"email\""), end.getError());
    }

    @Test
    void wideRowsAreBatchedUnderTheRecordBoundAndARowOverItAloneFailsTheRunNamingItsKey() {
        // 400,000-character rows: two fit the 900 KB bound, a third would not (batch-size 3 in tests); row 6 alone
        // is 1,000,000 characters, over it; the broker of the tests keeps Kafka's default 1 MB message.max.bytes
        RunRequest request = request(spec("SELECT g AS id, repeat('x', CASE WHEN g = 6 THEN 1000000 ELSE 400000 END) AS blob"
                + " FROM generate_series(1, 6) g ORDER BY g", "id", List.of()), false);
        publisher.sendAndWait(Topics.RUN_REQUESTS, request.getSyncId(), request);

        RowBatch end = awaitEnd(request);
        assertEquals("ROW_TOO_LARGE", end.getErrorCode());
        assertTrue(end.getError().matches("row 6 is 97\\d KB, over the 900 KB record limit; raise"
                + " eddy\\.kafka\\.max-record-bytes and the broker's message\\.max\\.bytes"), end.getError());
        List<RowBatch> batches = rowBatches(request);
        assertEquals(List.of(List.of("1", "2"), List.of("3", "4")), batches.stream()
                .map(b -> b.getRows().stream().map(Row::getPk).toList()).toList(),
                "cut by bytes before the row count; the open batch (row 5) is dropped with the failure");
        assertEquals(2, end.getSeq());
    }

    @Test
    void aSpecLargerThanTheRecordBoundFailsTheRunAtOnce() {
        // a 950,000-character model SQL: the run request fits the broker's 1 MB, no row batch carrying it could
        RunRequest request = request(spec("SELECT 1 AS id /* " + "x".repeat(950_000) + " */", "id", List.of()), false);
        publisher.sendAndWait(Topics.RUN_REQUESTS, request.getSyncId(), request);

        RunEvent terminal = await().atMost(Duration.ofSeconds(30)).until(() -> recorder.events(RunEvent.class).stream()
                .filter(e -> e.getRunId().equals(request.getRunId()) && e.getTerminal()).findFirst(), Optional::isPresent).get();
        assertEquals(RunStatus.failed, terminal.getStatus());
        assertEquals("ROW_TOO_LARGE", terminal.getErrorCode());
        assertTrue(terminal.getError().startsWith("the run's fixed record part (its sync spec) is 9"), terminal.getError());
        assertTrue(rowBatches(request).isEmpty());
    }

    @Test
    void aNullPrimaryKeyEndsTheExtractionNamingColumnAndRow() {
        RunRequest request = request(spec("SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c'), (NULL, 'd')) AS v(key, name)",
                "key", List.of()), false);
        publisher.sendAndWait(Topics.RUN_REQUESTS, request.getSyncId(), request);

        RowBatch end = awaitEnd(request);
        assertEquals("NULL_PRIMARY_KEY", end.getErrorCode());
        assertTrue(end.getError().contains("\"key\"") && end.getError().contains("row 4"), end.getError());
        assertEquals(1, end.getSeq(), "the batch published before the null key stays");
        assertEquals(1, rowBatches(request).size());
    }

    @Test
    void anUnreachableSourceEndsWithSourceUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        RunRequest request = request(spec("SELECT 1 AS id", "id", List.of(), closedPort), false);
        publisher.sendAndWait(Topics.RUN_REQUESTS, request.getSyncId(), request);

        RowBatch end = awaitEnd(request);
        assertEquals("SOURCE_UNREACHABLE", end.getErrorCode());
        assertNotNull(end.getError());
        assertEquals(RunStatus.querying, awaitRunEvent(request).getStatus());
    }

    @Test
    void aSourceRefusingConnectionsForAWhileIsWaitedOutAndTheRunExtracted() throws Exception {
        try (FaultProxy source = FaultProxy.start(0, warehouse.port())) {
            source.refuse();
            RunRequest request = request(spec("SELECT 1 AS id", "id", List.of(), source.port()), false);
            publisher.sendAndWait(Topics.RUN_REQUESTS, request.getSyncId(), request);
            // every attempt announces itself: a second announcement means the first attempt failed and was retried
            await().atMost(Duration.ofSeconds(30)).until(() -> recorder.events(RunEvent.class).stream()
                    .filter(e -> e.getRunId().equals(request.getRunId())).count() >= 2);
            source.accept();

            RowBatch end = awaitEnd(request);
            assertNull(end.getError(), "the refused attempts did not end the extraction");
            assertEquals(1L, end.getQuerySize());
            assertEquals(1, batches(request).stream().filter(b -> b.getKind() == BatchKind.END).count());
        }
    }

    private SyncSpec spec(String sql, String primaryKey, List<String> mapped) {
        return spec(sql, primaryKey, mapped, warehouse.port());
    }

    private SyncSpec spec(String sql, String primaryKey, List<String> mapped, int port) {
        ObjectNode source = JsonNodeFactory.instance.objectNode()
                .put("host", warehouse.host()).put("port", port).put("database", warehouse.database())
                .put("user", "postgres")
                .put("password", new SecretBox(EddyInfrastructureResource.SECRET_KEY).seal(""));
        ObjectNode configuration = JsonNodeFactory.instance.objectNode().put("mode", "upsert");
        var mappings = configuration.putArray("mappings");
        for (String column : mapped) {
            mappings.addObject().put("from", column).put("to", column).put("type", "standard");
        }
        String syncId = "sync-" + RunIds.next();
        return new SyncSpec(syncId, syncId, 1, new SyncSpec.Model("m1", "model", "model", primaryKey, sql),
                new SyncSpec.Connection("s1", "warehouse", "postgres", source),
                new SyncSpec.Connection("d1", "hook", "webhook", JsonNodeFactory.instance.objectNode().put("url", "http://127.0.0.1:1/")),
                configuration);
    }

    private static RunRequest request(SyncSpec spec, boolean fullResync) {
        return RunRequest.newBuilder()
                .setRunId(RunIds.next())
                .setSyncId(spec.syncId())
                .setFullResync(fullResync)
                .setRequestedAt(Instant.now())
                .setSpecJson(spec.toJson())
                .build();
    }

    private static RowBatch awaitEnd(RunRequest request) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> batches(request).stream()
                .filter(b -> b.getKind() == BatchKind.END).findFirst(), Optional::isPresent).get();
    }

    private static RunEvent awaitRunEvent(RunRequest request) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> recorder.events(RunEvent.class).stream()
                .filter(e -> e.getRunId().equals(request.getRunId())).findFirst(), Optional::isPresent).get();
    }

    private static List<RowBatch> batches(RunRequest request) {
        return recorder.events(RowBatch.class).stream().filter(b -> b.getRunId().equals(request.getRunId())).toList();
    }

    private static List<RowBatch> rowBatches(RunRequest request) {
        return batches(request).stream().filter(b -> b.getKind() == BatchKind.ROWS).toList();
    }

    private static List<Row> rows(RunRequest request) {
        List<Row> rows = new ArrayList<>();
        rowBatches(request).forEach(b -> rows.addAll(b.getRows()));
        return rows;
    }

    private static Map<String, ByteBuffer> hashes(RunRequest request) {
        Map<String, ByteBuffer> hashes = new HashMap<>();
        rows(request).forEach(r -> hashes.put(r.getPk(), r.getHash()));
        return hashes;
    }
}
