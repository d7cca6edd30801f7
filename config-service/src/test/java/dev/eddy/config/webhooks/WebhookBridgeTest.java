package dev.eddy.config.webhooks;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.TriggerEvent;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The dbt Cloud and Fivetran bridges with real payload shapes: signatures, failed jobs, the test event. */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class WebhookBridgeTest {

    private static final List<TriggerEvent> TRIGGERS = new CopyOnWriteArrayList<>();
    private static Thread recorder;
    private static volatile boolean recording;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @BeforeEach
    void record() {
        if (recorder == null) {
            recording = true;
            String servers = bootstrapServers;
            recorder = new Thread(() -> {
                try (KafkaConsumer<String, TriggerEvent> consumer = new KafkaConsumer<>(KafkaSettings.consumer(
                        servers, Optional.empty(), "webhook-test-" + UUID.randomUUID()))) {
                    consumer.subscribe(List.of(Topics.TRIGGERS));
                    while (recording) {
                        consumer.poll(Duration.ofMillis(100)).forEach(r -> TRIGGERS.add(r.value()));
                    }
                }
            });
            recorder.setDaemon(true);
            recorder.start();
        }
    }

    @AfterAll
    static void stop() {
        recording = false;
    }

    private static String dbtBody(String job, String eventType, String status) {
        return dbtBody(job, eventType, status, Instant.now());
    }

    private static String dbtBody(String job, String eventType, String status, Instant sent) {
        return "{\"accountId\":70403,\"eventId\":\"wev_" + UUID.randomUUID() + "\",\"timestamp\":\"" + sent + "\","
                + "\"eventType\":\"" + eventType + "\",\"webhookName\":\"eddy-trigger\",\"data\":{\"jobId\":\"" + job + "\","
                + "\"jobName\":\"Nightly marts (dbt build)\",\"runId\":\"90231877\",\"environmentId\":\"5521\","
                + "\"environmentName\":\"Production\",\"dbtVersion\":\"\",\"projectName\":\"Analytics\",\"runReason\":\"\","
                + "\"runStartedAt\":\"2026-10-14T06:01:10Z\",\"runFinishedAt\":\"2026-10-14T06:03:49Z\","
                + "\"runStatus\":\"" + status + "\",\"runStatusMessage\":\"None\"}}";
    }

    private static String fivetranBody(String connector, String status) {
        return fivetranBody(connector, status, Instant.now());
    }

    private static String fivetranBody(String connector, String status, Instant sent) {
        return "{\"event\":\"sync_end\",\"created\":\"" + sent + "\",\"connector_type\":\"postgres_rds\","
                + "\"connector_id\":\"" + connector + "\",\"connector_name\":\"app_db\",\"sync_id\":\"" + UUID.randomUUID()
                + "\",\"destination_group_id\":\"warm_lantern\",\"data\":{\"status\":\"" + status + "\"}}";
    }

    private static String sign(String secret, String body) {
        return WebhookSignature.hexHmacSha256(secret, body.getBytes(StandardCharsets.UTF_8));
    }

    private static List<TriggerEvent> triggersFor(String jobOrConnector) {
        return TRIGGERS.stream().filter(t -> jobOrConnector.equals(t.getDbtJobId())
                || jobOrConnector.equals(t.getFivetranConnectorId())).toList();
    }

    @Test
    void signedDbtCloudCompletionPublishesATriggerNamingTheJob() {
        String job = "job-" + UUID.randomUUID();
        String body = dbtBody(job, "job.run.completed", "Success");
        given().header("Authorization", sign("test-dbt-secret", body)).contentType("application/json").body(body)
                .post("/webhooks/dbt-cloud").then().statusCode(200).body("published", equalTo(true));

        TriggerEvent trigger = await().atMost(Duration.ofSeconds(60)).until(() -> triggersFor(job), l -> l.size() == 1).get(0);
        assertEquals("dbt_cloud", trigger.getSource());
        assertEquals("70403", trigger.getDbtAccountId());
        assertEquals("Success", trigger.getDbtRunStatus());
        assertEquals(null, trigger.getSyncId());
    }

    @Test
    void failedDbtCloudJobIsPublishedWithItsStatusSoTheSchedulerSkipsIt() {
        String job = "job-" + UUID.randomUUID();
        String body = dbtBody(job, "job.run.errored", "Errored");
        given().header("Authorization", sign("test-dbt-secret", body)).body(body)
                .post("/webhooks/dbt-cloud").then().statusCode(200);
        TriggerEvent trigger = await().atMost(Duration.ofSeconds(60)).until(() -> triggersFor(job), l -> l.size() == 1).get(0);
        assertEquals("Errored", trigger.getDbtRunStatus());
    }

    @Test
    void badOrMissingDbtSignatureIsRefusedAndPublishesNothing() {
        String job = "job-" + UUID.randomUUID();
        String body = dbtBody(job, "job.run.completed", "Success");
        given().header("Authorization", sign("wrong-secret", body)).body(body).post("/webhooks/dbt-cloud").then().statusCode(401);
        given().body(body).post("/webhooks/dbt-cloud").then().statusCode(401);
        // signed over a different body (the JSON re-serialised) does not pass either
        given().header("Authorization", sign("test-dbt-secret", body + " ")).body(body).post("/webhooks/dbt-cloud")
                .then().statusCode(401);
        String marker = "job-" + UUID.randomUUID();
        String markerBody = dbtBody(marker, "job.run.completed", "Success");
        given().header("Authorization", sign("test-dbt-secret", markerBody)).body(markerBody).post("/webhooks/dbt-cloud")
                .then().statusCode(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> triggersFor(marker).size() == 1);
        assertEquals(0, triggersFor(job).size());
    }

    @Test
    void fivetranSignatureIsAcceptedInUpperCase() {
        String connector = "conn_" + UUID.randomUUID().toString().replace("-", "");
        String body = fivetranBody(connector, "SUCCESSFUL");
        given().header("X-Fivetran-Signature-256", sign("test-fivetran-secret", body).toUpperCase()).body(body)
                .post("/webhooks/fivetran").then().statusCode(200).body("published", equalTo(true));
        TriggerEvent trigger = await().atMost(Duration.ofSeconds(60)).until(() -> triggersFor(connector), l -> l.size() == 1).get(0);
        assertEquals("fivetran", trigger.getSource());
        assertEquals("SUCCESSFUL", trigger.getFivetranStatus());
    }

    @Test
    void fivetranBadSignatureIsRefusedAndTheTestEventIsAcceptedAndIgnored() {
        String connector = "conn_" + UUID.randomUUID().toString().replace("-", "");
        String body = fivetranBody(connector, "SUCCESSFUL");
        given().header("X-Fivetran-Signature-256", sign("nope", body)).body(body).post("/webhooks/fivetran").then().statusCode(401);
        given().body(body).post("/webhooks/fivetran").then().statusCode(401);

        String testEvent = "{\"event\":\"test\",\"created\":\"" + Instant.now() + "\",\"connector_id\":\"" + connector
                + "\",\"data\":{\"status\":\"SUCCESSFUL\"}}";
        given().header("X-Fivetran-Signature-256", sign("test-fivetran-secret", testEvent)).body(testEvent)
                .post("/webhooks/fivetran").then().statusCode(200).body("published", equalTo(false));

        String marker = "conn_" + UUID.randomUUID().toString().replace("-", "");
        String markerBody = fivetranBody(marker, "FAILURE_WITH_TASK");
        given().header("X-Fivetran-Signature-256", sign("test-fivetran-secret", markerBody)).body(markerBody)
                .post("/webhooks/fivetran").then().statusCode(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> triggersFor(marker).size() == 1);
        assertEquals(0, triggersFor(connector).size());
    }

    @Test
    void aReplayedDbtCloudDeliveryIsRefusedAndPublishesNothingMore() {
        String job = "job-" + UUID.randomUUID();
        String body = dbtBody(job, "job.run.completed", "Success");
        String signature = sign("test-dbt-secret", body);
        given().header("Authorization", signature).body(body).post("/webhooks/dbt-cloud").then().statusCode(200);
        given().header("Authorization", signature).body(body).post("/webhooks/dbt-cloud").then().statusCode(401)
                .body("message", org.hamcrest.Matchers.containsString("replay"));
        await().atMost(Duration.ofSeconds(15)).until(() -> triggersFor(job).size() == 1);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> triggersFor(job).size() == 1);
    }

    @Test
    void aSignedDeliveryWithAnOldEventTimeIsRefusedAsAReplay() {
        String job = "job-" + UUID.randomUUID();
        String old = dbtBody(job, "job.run.completed", "Success", Instant.now().minus(Duration.ofMinutes(10)));
        given().header("Authorization", sign("test-dbt-secret", old)).body(old).post("/webhooks/dbt-cloud").then().statusCode(401)
                .body("message", org.hamcrest.Matchers.containsString("replay"));
        String connector = "conn_" + UUID.randomUUID().toString().replace("-", "");
        String oldFivetran = fivetranBody(connector, "SUCCESSFUL", Instant.now().minus(Duration.ofHours(1)));
        given().header("X-Fivetran-Signature-256", sign("test-fivetran-secret", oldFivetran)).body(oldFivetran)
                .post("/webhooks/fivetran").then().statusCode(401);
        String noTime = "{\"event\":\"sync_end\",\"connector_id\":\"" + connector + "\",\"sync_id\":\"x\",\"data\":{\"status\":\"SUCCESSFUL\"}}";
        given().header("X-Fivetran-Signature-256", sign("test-fivetran-secret", noTime)).body(noTime)
                .post("/webhooks/fivetran").then().statusCode(401);

        String marker = "job-" + UUID.randomUUID();
        String fresh = dbtBody(marker, "job.run.completed", "Success");
        given().header("Authorization", sign("test-dbt-secret", fresh)).body(fresh).post("/webhooks/dbt-cloud").then().statusCode(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> triggersFor(marker).size() == 1);
        assertEquals(0, triggersFor(job).size());
        assertEquals(0, triggersFor(connector).size());
    }
}
