package dev.eddy.config.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.eddy.config.api.Fixtures.api;
import static dev.eddy.config.api.Fixtures.customersModel;
import static dev.eddy.config.api.Fixtures.finishRun;
import static dev.eddy.config.api.Fixtures.sync;
import static dev.eddy.config.api.Fixtures.unique;
import static dev.eddy.config.api.Fixtures.warehouseSource;
import static dev.eddy.config.api.Fixtures.webhook;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Validates the response of every read (and the trigger and validation answers) against the component
 * schemas of the reference Hightouch OpenAPI document, with a JSON-schema validator.
 * <p>
 * OpenAPI 3.0 has no null type and the reference marks no field nullable; the only nulls Eddy returns are
 * the ones Hightouch itself returns before the fact: a run's {@code startedAt}/{@code finishedAt} before it
 * starts/ends and a sync's {@code lastRunAt} before its first run. Exactly those are allowed null here. A manual
 * sync's {@code schedule.schedule} is an empty recurrence ({@code {"expressions": []}}), a VisualCronSchedule, so
 * it needs no allowance.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class ReferenceSpecConformanceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Set<String>> NULL_ALLOWED = Map.of(
            "SyncRun", Set.of("startedAt", "finishedAt"), "Sync", Set.of("lastRunAt"));
    private static ObjectNode components;

    @BeforeAll
    static void loadReference() throws IOException {
        JsonNode doc;
        // a copy of /work/shared/reference/hightouch-api-v1.openapi.yaml (MIT), so the test runs anywhere
        try (var in = ReferenceSpecConformanceTest.class.getResourceAsStream("/reference/hightouch-api-v1.openapi.yaml")) {
            doc = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        components = (ObjectNode) doc.get("components").deepCopy();
        ObjectNode schemas = (ObjectNode) components.get("schemas");
        NULL_ALLOWED.forEach((schema, fields) -> fields.forEach(field -> {
            ObjectNode property = (ObjectNode) schemas.get(schema).get("properties").get(field);
            ArrayNode types = property.putArray("type");
            types.add("string").add("null");
        }));
    }

    private static JsonSchema schema(String name, boolean list) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode ref = JSON.createObjectNode().put("$ref", "#/components/schemas/" + name);
        if (list) {
            root.put("type", "object").putArray("required").add("data");
            ObjectNode data = root.putObject("properties").putObject("data");
            data.put("type", "array").set("items", ref);
        } else {
            root.setAll(ref);
        }
        root.set("components", components);
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(root);
    }

    private static void assertValid(String schema, boolean list, String path) throws IOException {
        String body = api().get(path).then().statusCode(200).extract().asString();
        assertValidBody(schema, list, path, body);
    }

    private static void assertValidBody(String schema, boolean list, String what, String body) throws IOException {
        JsonNode json = JSON.readTree(body);
        if (list) {
            assertTrue(json.get("data").size() > 0, what + " lists nothing: nothing was validated");
        }
        Set<ValidationMessage> errors = schema(schema, list).validate(json);
        assertTrue(errors.isEmpty(), what + " breaks the reference schema " + schema + ": " + errors + "\n" + body);
    }

    /**
     * Hightouch's generated SDKs (Python {@code hightouch} 1.31.0) take only 200 as a create's success and read the
     * object from its body: 201 comes back empty or as "unknown status code".
     */
    @Test
    void everyCreateAnswers200WithTheObjectAsTheSdkExpects() throws IOException {
        String source = create("/api/v1/sources", "Source", Map.of("name", "Warehouse", "slug", unique("wh"), "type", "postgres",
                "configuration", Fixtures.warehouseConfiguration()));
        String model = create("/api/v1/models", "Model", Map.of("name", "Customers", "slug", unique("customers"), "sourceId", source,
                "queryType", "raw_sql", "raw", Map.of("sql", "SELECT id, email FROM customers"), "primaryKey", "id"));
        String destination = create("/api/v1/destinations", "Destination", Map.of("name", "Hook", "slug", unique("hook"),
                "type", "webhook", "configuration", Map.of("url", "http://127.0.0.1:9/hook")));
        String sync = create("/api/v1/syncs", "Sync", Map.of("slug", unique("sync"), "modelId", model, "destinationId", destination,
                "schedule", Map.of("type", "manual"), "configuration", Map.of("mode", "upsert",
                        "mappings", List.of(Map.of("from", "email", "to", "email", "type", "standard")))));
        api().get("/api/v1/syncs/" + sync).then().statusCode(200);

        String invalid = api().body(Map.of("slug", "")).post("/api/v1/models").then().statusCode(422).extract().asString();
        assertValidBody("ValidateErrorJSON", false, "a create's 422", invalid);
        for (String kind : List.of("sources", "models", "destinations", "syncs")) {
            api().body(Map.of("name", "Renamed")).patch("/api/v1/" + kind + "/999999999").then().statusCode(404);
        }
    }

    /** Ids made before they were safe integers (up to 2^63) are stored and read as they were. */
    @Test
    void aRunWithAnOldStyleIdAbove2To53IsStillListedByItsId() {
        String sync = sync(customersModel(warehouseSource()), webhook());
        // the former scheme: 41 bits of milliseconds since 2026-01-01, 10 of node, 12 of counter
        long old = (System.currentTimeMillis() - 1767225600000L) << 22 | 977L << 12 | 7;
        assertTrue(old > (1L << 53), "an old-style id is beyond 2^53: " + old);
        finishRun(sync, Long.toString(old), RunStatus.success);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> api().get("/api/v1/syncs/" + sync + "/runs?runId=" + old)
                .then().statusCode(200).body("data[0].id", org.hamcrest.Matchers.equalTo(Long.toString(old)))
                .body("data[0].status", org.hamcrest.Matchers.equalTo("success")));
        String fresh = api().post("/api/v1/syncs/" + sync + "/trigger").then().statusCode(200).extract().path("id");
        assertTrue(Long.parseLong(fresh) <= (1L << 53) - 1, "a new run id is a safe integer: " + fresh);
    }

    /** POSTs {@code body}, expects 200 and an object of the reference schema, and answers its id. */
    private static String create(String path, String schema, Map<String, Object> body) throws IOException {
        String answer = api().body(body).post(path).then().statusCode(200).extract().asString();
        assertValidBody(schema, false, "POST " + path, answer);
        JsonNode id = JSON.readTree(answer).get("id");
        assertTrue(id != null && !id.asText().isEmpty(), "POST " + path + " answers the object with its id: " + answer);
        return id.asText();
    }

    @Test
    void everyReadAnswerValidatesAgainstTheReferenceSchemas() throws IOException {
        String sourceId = warehouseSource();
        String modelId = customersModel(sourceId);
        String tableModel = api().body(Map.of("name", "Table", "slug", unique("tbl"), "sourceId", sourceId,
                "table", Map.of("name", "customers"), "primaryKey", "id", "tags", Map.of("team", "growth")))
                .post("/api/v1/models").then().statusCode(200).extract().path("id");
        String dbtModel = api().body(Map.of("name", "Dbt", "slug", unique("dbt"), "sourceId", sourceId, "queryType", "dbt_model",
                "dbt", Map.of("dbtUniqueId", "model.shop.inline", "compiledSql", "select 1 as id"), "primaryKey", "id"))
                .post("/api/v1/models").then().statusCode(200).extract().path("id");
        String destinationId = webhook();
        String pending = sync(modelId, destinationId);
        String ran = sync(modelId, destinationId);

        assertValid("Sync", false, "/api/v1/syncs/" + pending);
        for (Map<String, Object> schedule : List.of(
                Map.<String, Object>of("type", "dbt", "schedule", Map.of("account", Map.of("id", "70403"), "job", Map.of("id", "12"))),
                Map.<String, Object>of("type", "interval", "schedule", Map.of("interval", Map.of("quantity", 2, "unit", "hour"))),
                Map.<String, Object>of("type", "cron", "schedule", Map.of("expression", "0 6 * * *")))) {
            String scheduled = api().body(Map.of("slug", unique("scheduled"), "modelId", modelId, "destinationId", destinationId,
                            "schedule", schedule, "configuration", Map.of("mode", "upsert",
                                    "mappings", List.of(Map.of("from", "email", "to", "email", "type", "standard")))))
                    .post("/api/v1/syncs").then().statusCode(200).extract().path("id");
            assertValid("Sync", false, "/api/v1/syncs/" + scheduled);
        }
        String trigger = api().post("/api/v1/syncs/" + ran + "/trigger").then().statusCode(200).extract().asString();
        assertValidBody("TriggerRunOutput", false, "trigger", trigger);
        String runId = JSON.readTree(trigger).get("id").asText();
        assertValid("SyncRun", true, "/api/v1/syncs/" + ran + "/runs?runId=" + runId);
        assertValid("Sync", false, "/api/v1/syncs/" + ran);
        finishRun(ran, runId, RunStatus.success);
        await().atMost(Duration.ofSeconds(60)).until(() -> "success".equals(
                api().get("/api/v1/syncs/" + ran).then().extract().path("status")));

        assertValid("Source", true, "/api/v1/sources");
        assertValid("Source", false, "/api/v1/sources/" + sourceId);
        assertValid("Model", true, "/api/v1/models");
        assertValid("Model", false, "/api/v1/models/" + modelId);
        assertValid("Model", false, "/api/v1/models/" + tableModel);
        assertValid("Model", false, "/api/v1/models/" + dbtModel);
        assertValid("Destination", true, "/api/v1/destinations");
        assertValid("Destination", false, "/api/v1/destinations/" + destinationId);
        assertValid("Sync", true, "/api/v1/syncs");
        assertValid("Sync", true, "/api/v1/syncs?modelId=" + modelId + "&orderBy=createdAt&limit=10");
        assertValid("Sync", false, "/api/v1/syncs/" + ran);
        assertValid("SyncRun", true, "/api/v1/syncs/" + ran + "/runs");
        assertValid("SyncRun", true, "/api/v1/syncs/" + ran + "/runs?within=60&orderBy=startedAt");

        String invalid = api().body(Map.of("slug", "")).post("/api/v1/syncs").then().statusCode(422).extract().asString();
        assertValidBody("ValidateErrorJSON", false, "422", invalid);
        String badParam = api().queryParam("orderBy", "colour").get("/api/v1/syncs").then().statusCode(422).extract().asString();
        assertValidBody("ValidateErrorJSON", false, "422", badParam);
    }
}
