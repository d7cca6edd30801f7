package dev.eddy.config.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.ConfigChange;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.testsupport.EddyInfrastructureResource;
import dev.eddy.testsupport.SharedInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static dev.eddy.config.api.Fixtures.api;
import static dev.eddy.config.api.Fixtures.customersModel;
import static dev.eddy.config.api.Fixtures.unique;
import static dev.eddy.config.api.Fixtures.warehouseSource;
import static dev.eddy.config.api.Fixtures.webhook;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code schedulePaused}: a sync field of its own, apart from {@code disabled}, accepted, returned and published. */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class SchedulePausedApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Object> HOURLY = Map.of("type", "interval",
            "schedule", Map.of("interval", Map.of("quantity", 1, "unit", "hour")));

    @Test
    void pauseAndResumeChangeTheSyncAndItsConfigRecordButNotDisabled() throws Exception {
        String syncId = api().body(Map.of("slug", unique("paused"), "modelId", customersModel(warehouseSource()),
                        "destinationId", webhook(), "schedule", HOURLY, "schedulePaused", true))
                .post("/api/v1/syncs").then().statusCode(200)
                .body("schedulePaused", equalTo(true)).body("disabled", equalTo(false)).extract().path("id");
        assertEquals(true, api().get("/api/v1/syncs/" + syncId).then().extract().path("schedulePaused"));
        awaitConfigRecord(syncId, sync -> sync.get("schedulePaused").asBoolean() && !sync.get("disabled").asBoolean());

        // the dashboard's Resume: PATCH {schedulePaused: false}; the schedule itself is untouched
        api().body(Map.of("schedulePaused", false)).patch("/api/v1/syncs/" + syncId).then().statusCode(200)
                .body("schedulePaused", equalTo(false)).body("schedule.type", equalTo("interval"));
        awaitConfigRecord(syncId, sync -> !sync.get("schedulePaused").asBoolean());

        // disabling leaves the pause flag alone, and the other way round
        api().body(Map.of("schedulePaused", true)).patch("/api/v1/syncs/" + syncId).then().statusCode(200);
        api().body(Map.of("disabled", true)).patch("/api/v1/syncs/" + syncId).then().statusCode(200)
                .body("disabled", equalTo(true)).body("schedulePaused", equalTo(true)).body("status", equalTo("disabled"));
        api().body(Map.of("disabled", false)).patch("/api/v1/syncs/" + syncId).then().statusCode(200)
                .body("disabled", equalTo(false)).body("schedulePaused", equalTo(true));
        // absent means false, like disabled; a non-boolean is a 422 naming the field
        String other = api().body(Map.of("slug", unique("unpaused"), "modelId", customersModel(warehouseSource()),
                "destinationId", webhook())).post("/api/v1/syncs").then().statusCode(200)
                .body("schedulePaused", equalTo(false)).extract().path("id");
        api().body(Map.of("schedulePaused", "yes")).patch("/api/v1/syncs/" + other).then().statusCode(422)
                .body("details.schedulePaused", notNullValue());
    }

    @Test
    void aPausedSyncStillRunsWhenTriggeredThroughTheApi() {
        String syncId = api().body(Map.of("slug", unique("paused-run"), "modelId", customersModel(warehouseSource()),
                        "destinationId", webhook(), "schedule", HOURLY, "schedulePaused", true))
                .post("/api/v1/syncs").then().statusCode(200).extract().path("id");
        String runId = api().post("/api/v1/syncs/" + syncId + "/trigger").then().statusCode(200).extract().path("id");
        JsonPath runs = api().queryParam("runId", runId).get("/api/v1/syncs/" + syncId + "/runs").then().statusCode(200)
                .extract().jsonPath();
        assertEquals("queued", runs.getString("data[0].status"));
        assertEquals("queued", api().get("/api/v1/syncs/" + syncId).then().extract().path("status"));
    }

    /** Waits until the newest {@code sync:<id>} record on the config topic satisfies the check. */
    private static void awaitConfigRecord(String syncId, java.util.function.Predicate<JsonNode> check) throws Exception {
        Map<String, Object> settings = new HashMap<>(KafkaSettings.consumer(SharedInfrastructure.broker().bootstrapServers(),
                Optional.empty(), "paused-test-" + UUID.randomUUID()));
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        AtomicReference<String> latest = new AtomicReference<>();
        try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(settings)) {
            consumer.subscribe(List.of(Topics.CONFIG));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, Object> r : consumer.poll(Duration.ofMillis(300))) {
                    if (("sync:" + syncId).equals(r.key()) && r.value() != null) {
                        latest.set(((ConfigChange) r.value()).getJson());
                    }
                }
                return latest.get() != null && check.test(JSON.readTree(latest.get()));
            });
        }
    }
}
