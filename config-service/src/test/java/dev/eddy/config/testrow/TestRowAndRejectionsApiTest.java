package dev.eddy.config.testrow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.RunIds;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.avro.DeliveryResult;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.contracts.secrets.InternalCredential;
import dev.eddy.testsupport.EddyInfrastructureResource;
import dev.eddy.testsupport.RecordingHttpSink;
import dev.eddy.testsupport.SharedInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Test-a-row resolves the sync and asks delivery; rejections from delivery results are stored and served. */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
@QuarkusTestResource(DeliveryStubResource.class)
class TestRowAndRejectionsApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static RequestSpecification api() {
        return given().header("Authorization", "Bearer test-api-key").contentType(ContentType.JSON);
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private String newSync() {
        String source = api().body(Map.of("name", "Warehouse", "slug", unique("src"), "type", "postgres",
                        "configuration", Map.of("host", "127.0.0.1", "port", 5432, "database", "warehouse",
                                "user", "postgres", "password", "s3cret-pw")))
                .post("/api/v1/sources").then().statusCode(200).extract().path("id");
        String model = api().body(Map.of("name", "Customers", "slug", unique("mdl"), "sourceId", source, "queryType", "raw_sql",
                        "raw", Map.of("sql", "SELECT * FROM customers"), "primaryKey", "id"))
                .post("/api/v1/models").then().statusCode(200).extract().path("id");
        String destination = api().body(Map.of("name", "Hook", "slug", unique("dst"), "type", "webhook",
                        "configuration", Map.of("url", "http://127.0.0.1:9/hook", "headers", Map.of("Authorization", "Bearer hook-token"))))
                .post("/api/v1/destinations").then().statusCode(200).extract().path("id");
        return api().body(Map.of("slug", unique("sync"), "modelId", model, "destinationId", destination,
                        "schedule", Map.of("type", "manual"),
                        "configuration", Map.of("mode", "upsert", "mappings", List.of(Map.of("from", "email", "to", "email", "type", "standard")))))
                .post("/api/v1/syncs").then().statusCode(200).extract().path("id");
    }

    @Test
    void testRowSendsTheResolvedSpecAndTheRowToDeliveryAndAnswersItsReport() throws Exception {
        RecordingHttpSink delivery = DeliveryStubResource.delivery;
        delivery.clear();
        delivery.respondWith(r -> new RecordingHttpSink.Response(200,
                "{\"op\":\"added\",\"outcome\":{\"status\":\"ACCEPTED\",\"reason\":null},\"requests\":[{\"method\":\"POST\"}]}", Map.of()));
        String sync = newSync();

        api().body(Map.of("row", Map.of("id", 1, "email", "ada@example.com"), "op", "added"))
                .post("/api/v1/syncs/" + sync + "/test-row")
                .then().statusCode(200)
                .body("outcome.status", equalTo("ACCEPTED"))
                .body("requests", hasSize(1));

        assertEquals(1, delivery.requests().size());
        RecordingHttpSink.Request sent = delivery.requests().get(0);
        assertEquals("/internal/test-row", sent.path());
        JsonNode body = JSON.readTree(sent.body());
        // delivery trusts only config-service: the internal credential, and the spec signed over its exact bytes
        InternalCredential credential = new InternalCredential(EddyInfrastructureResource.SECRET_KEY);
        assertTrue(credential.accepts(sent.header(InternalCredential.HEADER)), "the internal credential is sent");
        assertEquals(sync, body.get("syncId").asText());
        String specJson = body.get("spec").asText();
        assertTrue(credential.verify(specJson.getBytes(java.nio.charset.StandardCharsets.UTF_8), body.get("specSignature").asText()));
        JsonNode spec = JSON.readTree(specJson);
        assertEquals(sync, spec.get("syncId").asText());
        assertEquals("webhook", spec.at("/destination/type").asText());
        assertEquals("ada@example.com", body.at("/row/email").asText());
        assertEquals("added", body.get("op").asText());
        assertFalse(sent.body().contains("hook-token"), "secrets travel sealed");
        // and nothing was recorded as a run
        api().get("/api/v1/syncs/" + sync + "/runs").then().statusCode(200).body("data", hasSize(0));
    }

    @Test
    void testRowRefusesABadOpAndAnUnknownSyncAndNeedsAnApiKey() {
        String sync = newSync();
        api().body(Map.of("row", Map.of("id", 1), "op", "upserted")).post("/api/v1/syncs/" + sync + "/test-row")
                .then().statusCode(422);
        api().body(Map.of("row", Map.of("id", 1), "op", "added")).post("/api/v1/syncs/999999999/test-row")
                .then().statusCode(404);
        given().contentType(ContentType.JSON).body(Map.of("row", Map.of())).post("/api/v1/syncs/" + sync + "/test-row")
                .then().statusCode(401);
    }

    @Test
    void rejectedAndFailedRowsOfARunAreListedWithTheirReasons() {
        String runId = RunIds.next();
        String syncId = "4242";
        try (EventPublisher publisher = new EventPublisher(KafkaSettings.producer(
                SharedInfrastructure.broker().bootstrapServers(), Optional.empty(), "rejections-test"))) {
            publisher.sendAndWait(Topics.DELIVERY_RESULTS, syncId, DeliveryResult.newBuilder().setRunId(runId).setSyncId(syncId)
                    .setSeq(0).setKind(BatchKind.ROWS).setFatalError(null).setOutcomes(List.of(
                            outcome("1", OutcomeStatus.ACCEPTED, null),
                            outcome("2", OutcomeStatus.REJECTED, "HTTP 400: invalid email"),
                            outcome("3", OutcomeStatus.FAILED, "HTTP 503 (after 5 attempts)"))).build());
            publisher.sendAndWait(Topics.DELIVERY_RESULTS, syncId, DeliveryResult.newBuilder().setRunId(runId).setSyncId(syncId)
                    .setSeq(1).setKind(BatchKind.ROWS).setFatalError(null).setOutcomes(List.of(
                            outcome("4", OutcomeStatus.REJECTED, "HTTP 422: unknown plan"))).build());
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                api().get("/api/v1/syncs/" + syncId + "/runs/" + runId + "/rejections").then().statusCode(200).body("data", hasSize(3)));

        api().get("/api/v1/syncs/" + syncId + "/runs/" + runId + "/rejections?limit=2&offset=0").then().statusCode(200)
                .body("data", hasSize(2))
                .body("data[0].primaryKey", equalTo("2"))
                .body("data[0].op", equalTo("changed"))
                .body("data[0].status", equalTo("rejected"))
                .body("data[0].reason", equalTo("HTTP 400: invalid email"))
                .body("data[1].status", equalTo("failed"));
        api().get("/api/v1/syncs/" + syncId + "/runs/" + runId + "/rejections?limit=2&offset=2").then().statusCode(200)
                .body("data", hasSize(1)).body("data[0].primaryKey", equalTo("4"));
        given().get("/api/v1/syncs/" + syncId + "/runs/" + runId + "/rejections").then().statusCode(401);
    }

    private static RowOutcome outcome(String pk, OutcomeStatus status, String reason) {
        return RowOutcome.newBuilder().setPk(pk).setOp(ChangeOp.CHANGED).setStatus(status).setReason(reason).build();
    }
}
