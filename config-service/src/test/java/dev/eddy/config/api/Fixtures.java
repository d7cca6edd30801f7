package dev.eddy.config.api;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.Counts;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.testsupport.SharedInfrastructure;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.ConfigProvider;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** Creates API objects for the tests: a source on the real demo warehouse, models, webhook destinations, syncs. */
final class Fixtures {

    static final String KEY = "test-api-key";

    private Fixtures() {
    }

    static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + KEY).contentType(ContentType.JSON);
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The demo warehouse's coordinates, as the shared test resource gives them. */
    static Map<String, Object> warehouseConfiguration() {
        var config = ConfigProvider.getConfig();
        return Map.of("host", config.getValue("eddy.test.warehouse.host", String.class),
                "port", Integer.parseInt(config.getValue("eddy.test.warehouse.port", String.class)),
                "database", config.getValue("eddy.test.warehouse.database", String.class),
                "user", "postgres", "password", "warehouse-pw");
    }

    static String warehouseSource() {
        return api().body(Map.of("name", "Warehouse", "slug", unique("wh"), "type", "postgres", "configuration", warehouseConfiguration()))
                .post("/api/v1/sources").then().statusCode(200).extract().path("id");
    }

    static String customersModel(String sourceId) {
        return api().body(Map.of("name", "Customers", "slug", unique("customers"), "sourceId", sourceId, "queryType", "raw_sql",
                        "raw", Map.of("sql", "SELECT id, email, first_name, plan FROM customers ORDER BY id"), "primaryKey", "id"))
                .post("/api/v1/models").then().statusCode(200).extract().path("id");
    }

    static String webhook() {
        return api().body(Map.of("name", "Hook", "slug", unique("hook"), "type", "webhook",
                        "configuration", Map.of("url", "http://127.0.0.1:9/hook", "headers", Map.of("Authorization", "Bearer hook-token"))))
                .post("/api/v1/destinations").then().statusCode(200).extract().path("id");
    }

    static String sync(String modelId, String destinationId) {
        return api().body(Map.of("slug", unique("sync"), "modelId", modelId, "destinationId", destinationId,
                        "schedule", Map.of("type", "manual"),
                        "configuration", Map.of("mode", "upsert", "deleteBehavior", "delete", "object", "contacts",
                                "mappings", List.of(Map.of("from", "email", "to", "email", "type", "standard")))))
                .post("/api/v1/syncs").then().statusCode(200).extract().path("id");
    }

    /** A sync on the demo warehouse's customers with its own source, model and destination. */
    static String newSync() {
        return sync(customersModel(warehouseSource()), webhook());
    }

    /** Plays the rest of the suite: the run starts, then ends with the status given. */
    static void finishRun(String syncId, String runId, RunStatus terminal) {
        finishRun(syncId, runId, terminal, 0);
    }

    /** Plays the rest of the suite: the run ends with the status given, {@code rejected} of its 10 rows refused. */
    static void finishRun(String syncId, String runId, RunStatus terminal, long rejected) {
        Instant started = Instant.now();
        try (EventPublisher publisher = new EventPublisher(KafkaSettings.producer(
                SharedInfrastructure.broker().bootstrapServers(), Optional.empty(), "api-test"))) {
            publisher.sendAndWait(Topics.RUN_EVENTS, syncId, RunEvent.newBuilder().setRunId(runId).setSyncId(syncId)
                    .setStatus(RunStatus.querying).setProducer("test").setAt(started).setStartedAt(started).build());
            publisher.sendAndWait(Topics.RUN_EVENTS, syncId, RunEvent.newBuilder().setRunId(runId).setSyncId(syncId)
                    .setStatus(terminal).setTerminal(true).setProducer("test").setAt(Instant.now())
                    .setStartedAt(started).setFinishedAt(Instant.now()).setQuerySize(10L)
                    .setPlannedRows(new Counts(10L, 0L, 0L)).setSuccessfulRows(new Counts(10L - rejected, 0L, 0L))
                    .setFailedRows(new Counts(rejected, 0L, 0L)).setCompletionRatio(1.0).build());
        }
    }
}
