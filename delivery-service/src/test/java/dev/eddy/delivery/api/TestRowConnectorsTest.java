package dev.eddy.delivery.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.testsupport.EddyInfrastructureResource;
import dev.eddy.testsupport.RecordingHttpSink;
import dev.eddy.testsupport.SharedInfrastructure;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test-a-row through the webhook, postgres and kafka connectors against a real local HTTP server, the embedded
 * PostgreSQL and the embedded broker: the row reaches the destination, secrets are redacted (also from the
 * outcome's reason when a destination echoes them), and nothing goes to delivery's topics (results, run events, dead
 * letters), so neither the snapshot nor the run history can change.
 */
@QuarkusTest
@WithTestResource(EddyInfrastructureResource.class)
class TestRowConnectorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> DELIVERY_TOPICS = List.of(Topics.DELIVERY_RESULTS, Topics.RUN_EVENTS, Topics.DEAD_LETTER);

    private final SecretBox secrets = new SecretBox(EddyInfrastructureResource.SECRET_KEY);
    private final String servers = SharedInfrastructure.broker().bootstrapServers();
    private final String syncId = "test-row-" + UUID.randomUUID();

    private Map<String, Object> request(String destinationType, Map<String, Object> destination, String syncConfiguration,
                                        String op, Map<String, Object> row) throws Exception {
        SyncSpec spec = new SyncSpec(syncId, "test-row", 1, new SyncSpec.Model("m1", "Customers", "customers", "id", "select 1"),
                null, new SyncSpec.Connection("d1", "dest", destinationType, JSON.valueToTree(destination)),
                (ObjectNode) JSON.readTree(syncConfiguration));
        return InternalCalls.testRow(spec, op, row);
    }

    private static JsonNode testRow(Map<String, Object> request) throws Exception {
        return JSON.readTree(InternalCalls.internal().body(JSON.writeValueAsString(request))
                .when().post("/internal/test-row").then().statusCode(200).extract().asString());
    }

    @Test
    void aWebhookRowIsSentSignedAndAnEchoedSecretIsRedactedFromTheReason() throws Exception {
        try (RecordingHttpSink sink = new RecordingHttpSink()) {
            Map<String, Object> destination = Map.of("url", sink.url(), "signingSecret", secrets.seal("whsec_0123456789"),
                    "headers", Map.of("Authorization", secrets.seal("Bearer sk_live_abcdef"), "X-Api-Key", "plain-key-4242"));
            String configuration = "{\"mode\": \"upsert\", \"mappings\": [{\"from\": \"email\", \"to\": \"email\"}]}";
            Map<String, TopicPartitionOffsets> before = endOffsets();

            JsonNode accepted = testRow(request("webhook", destination, configuration, "added", Map.of("id", 3, "email", "a@x.io")));

            assertEquals("ACCEPTED", accepted.at("/outcome/status").asText());
            assertEquals(1, accepted.get("requests").size());
            JsonNode sent = accepted.at("/requests/0");
            assertEquals("[redacted]", sent.at("/headers/Authorization").asText());
            assertEquals("[redacted]", sent.at("/headers/X-Api-Key").asText());
            assertEquals("[redacted]", sent.at("/headers/X-Eddy-Signature").asText());
            assertEquals(JSON.readTree("{\"op\": \"added\", \"primaryKey\": \"3\", \"row\": {\"email\": \"a@x.io\"}}"),
                    JSON.readTree(sent.get("body").asText()).at("/batch/0"));
            assertEquals("Bearer sk_live_abcdef", sink.requests().get(0).header("Authorization"), "the real request is signed and authorized");
            assertTrue(sink.requests().get(0).header("X-Eddy-Signature").startsWith("sha256="));

            // a destination that echoes what it was sent in its error
            sink.respondWith(r -> new RecordingHttpSink.Response(401, "{\"error\": \"bad credentials " + r.header("Authorization")
                    + " / " + r.header("X-Api-Key") + "\"}", Map.of()));
            JsonNode refused = testRow(request("webhook", destination, configuration, "changed", Map.of("id", 3, "email", "b@x.io")));

            assertEquals("REJECTED", refused.at("/outcome/status").asText());
            String reason = refused.at("/outcome/reason").asText();
            assertTrue(reason.startsWith("HTTP 401: ") && reason.contains("[redacted]"), reason);
            String everything = refused.toString();
            for (String secret : List.of("sk_live_abcdef", "plain-key-4242", "whsec_0123456789")) {
                assertTrue(!everything.contains(secret), secret + " leaked: " + everything);
            }
            assertNothingPublished(before);
        }
    }

    @Test
    void aPostgresRowIsWrittenToTheTableAndARefusedOneShowsTheDatabasesReason() throws Exception {
        String url = SharedInfrastructure.postgres().jdbcUrl("warehouse");
        String schema = "testrow_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        sql(url, "CREATE SCHEMA " + schema + "; CREATE TABLE " + schema + ".customers (id integer PRIMARY KEY, "
                + "email text NOT NULL CHECK (email LIKE '%@%'), plan text)");
        try {
            Map<String, Object> destination = Map.of("jdbcUrl", url, "user", "postgres", "password", secrets.seal(""),
                    "schema", schema, "table", "customers");
            String configuration = """
                    {"mode": "upsert", "mappings": [{"from": "email", "to": "email"}, {"from": "plan", "to": "plan"}],
                     "externalIdMapping": {"from": "id", "to": "id"}}""";
            Map<String, TopicPartitionOffsets> before = endOffsets();

            JsonNode accepted = testRow(request("postgres", destination, configuration, "added",
                    Map.of("id", 8, "email", "ada@x.io", "plan", "pro")));

            assertEquals("ACCEPTED", accepted.at("/outcome/status").asText(), accepted.toString());
            assertEquals(0, accepted.get("requests").size(), "no HTTP requests for a database");
            assertEquals(List.of("8|ada@x.io|pro"), table(url, schema));

            Map<String, Object> bad = new HashMap<>(Map.of("id", 9, "email", "not-an-email"));
            JsonNode refused = testRow(request("postgres", destination, configuration, "added", bad));
            assertEquals("REJECTED", refused.at("/outcome/status").asText());
            assertTrue(refused.at("/outcome/reason").asText().contains("PostgreSQL 23514"), refused.toString());
            assertEquals(List.of("8|ada@x.io|pro"), table(url, schema));
            assertNothingPublished(before);
        } finally {
            sql(url, "DROP SCHEMA " + schema + " CASCADE");
        }
    }

    @Test
    void aKafkaRowIsOneRecordOnTheTopicKeyedByItsPrimaryKey() throws Exception {
        String topic = "testrow-" + UUID.randomUUID();
        Map<String, Object> destination = Map.of("bootstrapServers", servers, "topic", topic);
        Map<String, TopicPartitionOffsets> before = endOffsets();

        InternalCalls.internal().body(JSON.writeValueAsString(request("kafka", destination,
                        "{\"mappings\": [{\"from\": \"email\", \"to\": \"email\"}]}", "added", Map.of("id", 5, "email", "k@x.io"))))
                .when().post("/internal/test-row")
                .then().statusCode(200)
                .body("outcome.status", equalTo("ACCEPTED"))
                .body("requests", empty())
                .body(not(containsString("Exception")));

        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return !records.isEmpty();
            });
        }
        assertEquals(1, records.size());
        assertEquals("5", records.get(0).key());
        assertEquals("{\"email\":\"k@x.io\"}", new String(records.get(0).value()));
        assertNothingPublished(before);
    }

    /** Where each partition of delivery's topics ends. */
    private record TopicPartitionOffsets(Map<TopicPartition, Long> offsets) {
    }

    private Map<String, TopicPartitionOffsets> endOffsets() {
        Map<String, TopicPartitionOffsets> offsets = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            for (String topic : DELIVERY_TOPICS) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                offsets.put(topic, new TopicPartitionOffsets(consumer.endOffsets(partitions)));
            }
        }
        return offsets;
    }

    /** No record keyed by this sync went to delivery's topics since {@code before} (read up to their current ends). */
    private void assertNothingPublished(Map<String, TopicPartitionOffsets> before) {
        List<String> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            for (String topic : DELIVERY_TOPICS) {
                Map<TopicPartition, Long> from = before.get(topic).offsets();
                consumer.assign(from.keySet());
                from.forEach(consumer::seek);
                Map<TopicPartition, Long> end = consumer.endOffsets(from.keySet());
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        if (syncId.equals(record.key())) {
                            found.add(topic + "@" + record.offset());
                        }
                    }
                    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
                });
            }
        }
        assertEquals(List.of(), found, "test-a-row published nothing");
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.GROUP_ID_CONFIG, "test-row-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
    }

    private static List<String> table(String url, String schema) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, email, plan FROM " + schema + ".customers ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getString(3));
            }
        }
        return rows;
    }

    private static void sql(String url, String statements) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            s.execute(statements);
        }
    }
}
