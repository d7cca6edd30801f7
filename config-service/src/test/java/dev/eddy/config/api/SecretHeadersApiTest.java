package dev.eddy.config.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.config.service.SecretResealer;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.ConfigChange;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.testsupport.EddyInfrastructureResource;
import dev.eddy.testsupport.SharedInfrastructure;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static dev.eddy.config.api.Fixtures.api;
import static dev.eddy.config.api.Fixtures.customersModel;
import static dev.eddy.config.api.Fixtures.sync;
import static dev.eddy.config.api.Fixtures.unique;
import static dev.eddy.config.api.Fixtures.warehouseSource;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Secret HTTP headers by their usual names, and secrets that are not strings: sealed at rest, masked, never published. */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class SecretHeadersApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecretBox BOX = new SecretBox(EddyInfrastructureResource.SECRET_KEY);
    private static final Map<String, String> SECRET_HEADERS = new LinkedHashMap<>();

    static {
        SECRET_HEADERS.put("X-Api-Key", "plain-x-api-key");
        SECRET_HEADERS.put("Api-Key", "plain-api-key");
        SECRET_HEADERS.put("Apikey", "plain-apikey");
        SECRET_HEADERS.put("Cookie", "session=plain-cookie");
        SECRET_HEADERS.put("Proxy-Authorization", "Basic plain-proxy");
        SECRET_HEADERS.put("X-Auth-Token", "plain-auth-token");
        SECRET_HEADERS.put("Ocp-Apim-Subscription-Key", "plain-subscription-key");
    }

    @Inject
    AgroalDataSource dataSource;
    @Inject
    SecretResealer resealer;

    @Test
    void secretHeadersAndNonStringSecretsAreSealedMaskedAndNeverPublishedInPlaintext() throws Exception {
        Map<String, Object> headers = new LinkedHashMap<>(SECRET_HEADERS);
        headers.put("X-Team", "growth");
        Map<String, Object> settings = new HashMap<>(KafkaSettings.consumer(SharedInfrastructure.broker().bootstrapServers(),
                Optional.empty(), "secret-headers-test-" + UUID.randomUUID()));
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(settings)) {
            consumer.subscribe(List.of(Topics.CONFIG));
            String destinationId = api().body(Map.of("name", "Hook", "slug", unique("hook"), "type", "webhook",
                            "configuration", Map.of("url", "http://127.0.0.1:9/hook", "headers", headers)))
                    .post("/api/v1/destinations").then().statusCode(200).extract().path("id");
            // a numeric secret where a destination takes one (a webhook has no such setting: an unknown key is refused)
            String topicId = api().body(Map.of("name", "Topic", "slug", unique("topic"), "type", "kafka",
                            "configuration", Map.of("bootstrapServers", "127.0.0.1:9", "topic", "people",
                                    "properties", Map.of("ssl.key.password", 987654321))))
                    .post("/api/v1/destinations").then().statusCode(200).extract().path("id");
            String syncId = sync(customersModel(warehouseSource()), destinationId);

            // at rest: every secret header and the numeric key sealed; the rest as given
            JsonNode stored = JSON.readTree(stored("SELECT configuration::text FROM config.destinations WHERE id = ?", destinationId));
            SECRET_HEADERS.forEach((name, value) -> {
                String sealed = stored.get("headers").get(name).asText();
                assertTrue(SecretBox.isSealed(sealed), name + " at rest: " + sealed);
                assertEquals(value, BOX.open(sealed));
            });
            assertEquals("growth", stored.get("headers").get("X-Team").asText());
            JsonNode storedTopic = JSON.readTree(stored("SELECT configuration::text FROM config.destinations WHERE id = ?", topicId));
            assertTrue(SecretBox.isSealed(storedTopic.at("/properties/ssl.key.password").asText()));
            assertEquals(987654321, BOX.openSecrets((ObjectNode) storedTopic.deepCopy()).at("/properties/ssl.key.password").asInt());

            // in the API: masked
            JsonPath shown = api().get("/api/v1/destinations/" + destinationId).then().statusCode(200).extract().jsonPath();
            SECRET_HEADERS.keySet().forEach(name ->
                    assertEquals(SecretBox.MASK, shown.getString("configuration.headers.'" + name + "'"), name));
            assertEquals("growth", shown.getString("configuration.headers.'X-Team'"));
            assertEquals(SecretBox.MASK, api().get("/api/v1/destinations/" + topicId).then().statusCode(200).extract()
                    .jsonPath().getString("configuration.properties.'ssl.key.password'"));

            // on the config topic: removed from the destination, sealed in the sync's spec, plaintext nowhere
            List<ConsumerRecord<String, Object>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(300)).forEach(records::add);
                return records.stream().anyMatch(r -> ("sync-spec:" + syncId).equals(r.key()))
                        && records.stream().anyMatch(r -> ("destination:" + destinationId).equals(r.key()))
                        && records.stream().anyMatch(r -> ("destination:" + topicId).equals(r.key()));
            });
            for (ConsumerRecord<String, Object> r : records) {
                String json = r.value() == null ? "" : ((ConfigChange) r.value()).getJson();
                for (String value : SECRET_HEADERS.values()) {
                    assertFalse(json.contains(value), r.key() + " holds " + value);
                }
                assertFalse(json.contains("987654321"), r.key() + " holds the numeric key");
            }
            JsonNode published = JSON.readTree(((ConfigChange) last(records, "destination:" + destinationId).value()).getJson());
            assertEquals(JSON.readTree("{\"X-Team\": \"growth\"}"), published.at("/configuration/headers"));
            JsonNode publishedTopic = JSON.readTree(((ConfigChange) last(records, "destination:" + topicId).value()).getJson());
            assertFalse(publishedTopic.at("/configuration/properties").has("ssl.key.password"));
            SyncSpec spec = SyncSpec.fromJson(((ConfigChange) last(records, "sync-spec:" + syncId).value()).getJson());
            assertTrue(SecretBox.isSealed(spec.destination().configuration().at("/headers/X-Api-Key").asText()));
        }
    }

    @Test
    void secretsStoredBeforeTheirNameCountedAsSecretAreSealedAtStart() throws Exception {
        String destinationId = api().body(Map.of("name", "Old hook", "slug", unique("old-hook"), "type", "webhook",
                        "configuration", Map.of("url", "http://127.0.0.1:9/hook")))
                .post("/api/v1/destinations").then().statusCode(200).extract().path("id");
        // as an earlier version stored it: the header in plaintext
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE config.destinations SET configuration = ?::jsonb WHERE id = ?")) {
            ps.setString(1, "{\"url\": \"http://127.0.0.1:9/hook\", \"headers\": {\"X-Api-Key\": \"legacy-plain\"}}");
            ps.setLong(2, Long.parseLong(destinationId));
            ps.executeUpdate();
        }

        assertTrue(resealer.resealAll() >= 1); // what the start runs
        String sealed = JSON.readTree(stored("SELECT configuration::text FROM config.destinations WHERE id = ?", destinationId))
                .at("/headers/X-Api-Key").asText();
        assertTrue(SecretBox.isSealed(sealed), sealed);
        assertEquals("legacy-plain", BOX.open(sealed));
        assertEquals(0, resealer.resealAll(), "nothing left to seal");
    }

    private String stored(String sql, String id) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, Long.parseLong(id));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getString(1);
            }
        }
    }

    private static ConsumerRecord<String, Object> last(List<ConsumerRecord<String, Object>> records, String key) {
        ConsumerRecord<String, Object> found = null;
        for (ConsumerRecord<String, Object> r : records) {
            if (key.equals(r.key())) {
                found = r;
            }
        }
        assertTrue(found != null, "no record " + key);
        return found;
    }
}
