package dev.eddy.config.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.config.service.ConfigChanged;
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
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static dev.eddy.config.api.Fixtures.api;
import static dev.eddy.config.api.Fixtures.customersModel;
import static dev.eddy.config.api.Fixtures.sync;
import static dev.eddy.config.api.Fixtures.unique;
import static dev.eddy.config.api.Fixtures.warehouseConfiguration;
import static dev.eddy.config.api.Fixtures.warehouseSource;
import static dev.eddy.config.api.Fixtures.webhook;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Updates, deletes, API keys, validation, the warehouse endpoints, dbt manifests and config events. */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class ApiLifecycleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecretBox BOX = new SecretBox(EddyInfrastructureResource.SECRET_KEY);

    @Inject
    AgroalDataSource dataSource;
    @Inject
    RecordedChanges changes;

    private String stored(String sql, String id) throws Exception {
        try (Connection c = dataSource.getConnection(); var ps = c.prepareStatement(sql)) {
            ps.setLong(1, Long.parseLong(id));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getString(1);
            }
        }
    }

    @Test
    void schedulesAreCheckedWithTheSchedulersRulesAndEveryProblemIsNamed() {
        String modelId = customersModel(warehouseSource());
        String destinationId = webhook();
        Map<String, Object> base = Map.of("modelId", modelId, "destinationId", destinationId,
                "configuration", Map.of("mode", "upsert", "mappings", List.of()));
        Map<String, Object> cron = new java.util.HashMap<>(base);
        cron.put("slug", unique("cron"));
        cron.put("schedule", Map.of("type", "cron", "schedule", Map.of("expression", "61 * * * *")));
        api().body(cron).post("/api/v1/syncs").then().statusCode(422)
                .body("details.'schedule.schedule.expression'", containsString("\"61 * * * *\" is not a valid 5-field cron expression"));

        Map<String, Object> visual = new java.util.HashMap<>(base);
        visual.put("slug", unique("visual"));
        visual.put("schedule", Map.of("type", "visual", "timezone", "Mars/Olympus",
                "schedule", Map.of("expressions", List.of(Map.of("days", Map.of("funday", true), "time", "25:00")))));
        api().body(visual).post("/api/v1/syncs").then().statusCode(422)
                .body("details.'schedule.timezone'", containsString("Mars/Olympus"))
                .body("details.'schedule.schedule.expressions[0].days'", containsString("funday"))
                .body("details.'schedule.schedule.expressions[0].time'", containsString("25:00"));

        Map<String, Object> good = new java.util.HashMap<>(base);
        good.put("slug", unique("weekly"));
        good.put("schedule", Map.of("type", "cron", "schedule", Map.of("expression", "0 9 * * 1")));
        String id = api().body(good).post("/api/v1/syncs").then().statusCode(200).extract().path("id");
        // PATCH goes through the same rules
        api().body(Map.of("schedule", Map.of("type", "interval", "schedule", Map.of("interval", Map.of("quantity", 0, "unit", "fortnight")))))
                .patch("/api/v1/syncs/" + id).then().statusCode(422)
                .body("details.'schedule.schedule.interval.quantity'", containsString("at least 1"))
                .body("details.'schedule.schedule.interval.unit'", containsString("fortnight"));
    }

    @Test
    void patchKeepsWriteOnlySecretsAndDeleteRefusesWhileDependantsExist() throws Exception {
        String sourceId = warehouseSource();
        String modelId = customersModel(sourceId);
        String destinationId = webhook();
        String syncId = sync(modelId, destinationId);

        // a PATCH without the secret, or with the mask read back, keeps the stored secret
        api().body(Map.of("name", "Renamed", "configuration", Map.of("password", SecretBox.MASK)))
                .patch("/api/v1/sources/" + sourceId).then().statusCode(200)
                .body("name", equalTo("Renamed")).body("configuration.password", equalTo(SecretBox.MASK));
        String sealed = JSON.readTree(stored("SELECT configuration::text FROM config.sources WHERE id = ?", sourceId)).get("password").asText();
        assertEquals("warehouse-pw", BOX.open(sealed));
        api().body(Map.of("configuration", Map.of("password", "rotated-pw"))).patch("/api/v1/sources/" + sourceId).then().statusCode(200);
        String rotated = stored("SELECT configuration::text FROM config.sources WHERE id = ?", sourceId);
        assertFalse(rotated.contains("rotated-pw"), rotated);
        assertEquals("rotated-pw", BOX.open(JSON.readTree(rotated).get("password").asText()));

        api().body(Map.of("configuration", Map.of("headers", Map.of("X-Team", "growth"))))
                .patch("/api/v1/destinations/" + destinationId).then().statusCode(200)
                .body("configuration.headers.X-Team", equalTo("growth"))
                .body("configuration.headers.Authorization", equalTo(SecretBox.MASK));
        api().body(Map.of("configuration", Map.of("mode", "insert"), "schedule", Map.of("type", "interval",
                        "schedule", Map.of("interval", Map.of("quantity", 15, "unit", "minute")))))
                .patch("/api/v1/syncs/" + syncId).then().statusCode(200)
                .body("configuration.mode", equalTo("insert"))
                .body("configuration.mappings[0].from", equalTo("email"))
                .body("schedule.schedule.interval.unit", equalTo("minute"));
        api().body(Map.of("raw", Map.of("sql", "SELECT id, email FROM customers"))).patch("/api/v1/models/" + modelId)
                .then().statusCode(200).body("raw.sql", equalTo("SELECT id, email FROM customers"));

        String otherSlug = api().get("/api/v1/sources/" + warehouseSource()).then().extract().path("slug");
        api().body(Map.of("slug", otherSlug)).patch("/api/v1/sources/" + sourceId).then().statusCode(422).body("details.slug", notNullValue());
        api().body("{\"name\": ").patch("/api/v1/sources/" + sourceId).then().statusCode(400);
        api().body(Map.of("name", "x")).patch("/api/v1/sources/987654321").then().statusCode(404);

        api().delete("/api/v1/sources/" + sourceId).then().statusCode(409).body("details.models", equalTo(List.of(modelId)));
        api().delete("/api/v1/models/" + modelId).then().statusCode(409).body("details.syncs", equalTo(List.of(syncId)));
        api().delete("/api/v1/destinations/" + destinationId).then().statusCode(409).body("details.syncs", equalTo(List.of(syncId)));
        api().delete("/api/v1/syncs/" + syncId).then().statusCode(204);
        api().get("/api/v1/syncs/" + syncId).then().statusCode(404);
        api().delete("/api/v1/models/" + modelId).then().statusCode(204);
        api().delete("/api/v1/destinations/" + destinationId).then().statusCode(204);
        api().delete("/api/v1/sources/" + sourceId).then().statusCode(204);
        api().get("/api/v1/sources/" + sourceId).then().statusCode(404);
        api().delete("/api/v1/sources/" + sourceId).then().statusCode(404);
    }

    @Test
    void apiKeysAreShownOnceStoredAsHashesAndRevocable() throws Exception {
        String key = api().body(Map.of("name", "ci-airflow")).post("/api/v1/api-keys").then().statusCode(201)
                .body("name", equalTo("ci-airflow")).body("key", notNullValue()).extract().path("key");
        String id = given().header("Authorization", "Bearer " + key).get("/api/v1/api-keys").then().statusCode(200)
                .body("data.find { it.name == 'ci-airflow' }", not(hasKey("key")))
                .extract().path("data.find { it.name == 'ci-airflow' }.id");
        String hash = stored("SELECT hash FROM config.api_keys WHERE id = ?", id);
        assertNotEquals(key, hash);
        assertFalse(hash.contains(key));

        // changes made with the key name it as their actor
        int before = changes.seen.size();
        given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON)
                .body(Map.of("name", "By key", "slug", unique("src"), "type", "postgres", "configuration", warehouseConfiguration()))
                .post("/api/v1/sources").then().statusCode(200);
        ConfigChanged change = changes.seen.get(before);
        assertEquals("source", change.kind());
        assertEquals(ConfigChanged.Change.CREATED, change.change());
        assertEquals("ci-airflow", change.actor());

        api().delete("/api/v1/api-keys/" + id).then().statusCode(204);
        given().header("Authorization", "Bearer " + key).get("/api/v1/syncs").then().statusCode(401);
        api().delete("/api/v1/api-keys/" + id).then().statusCode(404);
        api().body(Map.of()).post("/api/v1/api-keys").then().statusCode(422).body("details.name", notNullValue());
    }

    @Test
    void mappingsNamingColumnsTheModelDoesNotReturnAre422() {
        String modelId = customersModel(warehouseSource());
        String destinationId = webhook();
        api().body(Map.of("slug", unique("sync"), "modelId", modelId, "destinationId", destinationId,
                        "configuration", Map.of("mappings", List.of(Map.of("from", "email", "to", "email"),
                                Map.of("from", "phone", "to", "phone")))))
                .post("/api/v1/syncs").then().statusCode(422)
                .body("message", equalTo("Validation failed"))
                .body("details.'configuration.mappings[1].from'", containsString("phone"));
        String syncId = sync(modelId, destinationId);
        api().body(Map.of("configuration", Map.of("mappings", List.of(Map.of("from", "ltv_typo", "to", "ltv")))))
                .patch("/api/v1/syncs/" + syncId).then().statusCode(422)
                .body("details.'configuration.mappings[0].from'", containsString("ltv_typo"));
        api().body(Map.of("schedule", Map.of("type", "interval", "schedule", Map.of("interval", Map.of("quantity", -1, "unit", "fortnight")))))
                .patch("/api/v1/syncs/" + syncId).then().statusCode(422)
                .body("details.'schedule.schedule.interval.quantity'", notNullValue())
                .body("details.'schedule.schedule.interval.unit'", notNullValue());
    }

    @Test
    void badInputIsNeverA500() {
        String syncId = Fixtures.newSync();
        List<String> bodies = List.of("", "null", "[]", "42", "\"text\"", "{\"name\": 7, \"slug\": [], \"configuration\": \"x\"}",
                "{\"sourceId\": {\"a\": 1}, \"raw\": [1], \"table\": 3, \"dbt\": \"x\", \"queryType\": 5, \"tags\": [1]}",
                "{\"modelId\": \"-1\", \"destinationId\": 1e99, \"schedule\": [], \"configuration\": {\"mappings\": {\"a\": 1}}}",
                "{\"fullResync\": \"maybe\"}", "{\"syncId\": {}}", "{\u0000}");
        for (String path : List.of("/api/v1/sources", "/api/v1/models", "/api/v1/destinations", "/api/v1/syncs",
                "/api/v1/syncs/trigger", "/api/v1/syncs/" + syncId + "/trigger", "/api/v1/api-keys", "/api/v1/dbt/manifest")) {
            for (String body : bodies) {
                int status = api().body(body).post(path).then().extract().statusCode();
                assertTrue(status == 400 || status == 422 || status == 200 || status == 201, path + " " + body + " answered " + status);
            }
        }
        for (String body : bodies) {
            int status = api().body(body).patch("/api/v1/syncs/" + syncId).then().extract().statusCode();
            assertTrue(status == 400 || status == 422 || status == 200, "PATCH " + body + " answered " + status);
        }
        for (String query : List.of("limit=0", "limit=abc", "limit=1e400", "offset=-1", "orderBy=colour", "after=yesterday",
                "before=2024-13-45", "modelId=x", "within=-5", "within=soon", "runId=abc")) {
            int status = api().get("/api/v1/syncs?" + query).then().extract().statusCode();
            int runs = api().get("/api/v1/syncs/" + syncId + "/runs?" + query).then().extract().statusCode();
            assertTrue(status == 422 || status == 200, query + " answered " + status);
            assertTrue(runs == 422 || runs == 200, "runs " + query + " answered " + runs);
        }
        api().get("/api/v1/syncs?orderBy=colour").then().statusCode(422).body("details.orderBy", notNullValue());
        api().get("/api/v1/syncs/" + syncId + "/runs?within=soon").then().statusCode(422).body("details.within", notNullValue());
    }

    @Test
    void listsFilterOrderAndPage() {
        String sourceId = warehouseSource();
        String modelId = customersModel(sourceId);
        String destinationId = webhook();
        String a = sync(modelId, destinationId);
        String b = sync(modelId, destinationId);
        String c = sync(modelId, destinationId);
        api().queryParam("modelId", modelId).get("/api/v1/syncs").then().statusCode(200).body("data.id", equalTo(List.of(a, b, c)));
        api().queryParam("modelId", modelId).queryParam("limit", 2).queryParam("offset", 1).get("/api/v1/syncs").then()
                .body("data.id", equalTo(List.of(b, c)));
        api().queryParam("modelId", modelId).queryParam("orderBy", "createdAt").queryParam("limit", "1.0").get("/api/v1/syncs").then()
                .body("data.id", equalTo(List.of(a)));
        String run = api().post("/api/v1/syncs/" + b + "/trigger").then().statusCode(200).extract().path("id");
        api().queryParam("modelId", modelId).queryParam("after", "2000-01-01T00:00:00Z").get("/api/v1/syncs").then()
                .body("data.id", equalTo(List.of(b)));
        api().queryParam("modelId", modelId).queryParam("before", "2000-01-01").get("/api/v1/syncs").then().body("data", hasSize(0));
        api().get("/api/v1/syncs/" + b + "/runs?within=5").then().body("data.id", equalTo(List.of(run)));
        api().get("/api/v1/syncs/" + b + "/runs?before=2000-01-01T00:00:00Z").then().body("data", hasSize(0));
        api().queryParam("after", "2000-01-01T00:00:00+02:00").queryParam("orderBy", "createdAt").get("/api/v1/syncs/" + b + "/runs")
                .then().statusCode(200).body("data.id", equalTo(List.of(run)));
        String slug = api().get("/api/v1/models/" + modelId).then().extract().path("slug");
        api().queryParam("slug", slug).get("/api/v1/models").then().body("data.id", equalTo(List.of(modelId)));
        api().queryParam("name", "Hook").queryParam("limit", 1).get("/api/v1/destinations").then().body("data", hasSize(1));
    }

    @Test
    void sourceTestAndModelPreviewUseTheWarehouse() {
        String sourceId = warehouseSource();
        api().post("/api/v1/sources/" + sourceId + "/test").then().statusCode(200).body("success", equalTo(true));
        Map<String, Object> broken = new HashMap<>(warehouseConfiguration());
        broken.put("database", "no_such_database");
        String brokenId = api().body(Map.of("name", "Broken", "slug", unique("src"), "type", "postgres", "configuration", broken))
                .post("/api/v1/sources").then().statusCode(200).extract().path("id");
        api().post("/api/v1/sources/" + brokenId + "/test").then().statusCode(200)
                .body("success", equalTo(false)).body("message", containsString("no_such_database"));

        String modelId = customersModel(sourceId);
        api().post("/api/v1/models/" + modelId + "/preview").then().statusCode(200)
                .body("columns.name", equalTo(List.of("id", "email", "first_name", "plan")))
                .body("rows", hasSize(10))
                .body("rows[0].email", equalTo("ada@example.com"));
        api().post("/api/v1/models/" + modelId + "/preview?limit=2").then().statusCode(200).body("rows", hasSize(2));
        String many = api().body(Map.of("name", "Many", "slug", unique("many"), "sourceId", sourceId,
                        "raw", Map.of("sql", "SELECT g AS id FROM generate_series(1, 500) g;"), "primaryKey", "id"))
                .post("/api/v1/models").then().statusCode(200).extract().path("id");
        api().post("/api/v1/models/" + many + "/preview").then().statusCode(200).body("rows", hasSize(100));
        String failing = api().body(Map.of("name", "Failing", "slug", unique("bad"), "sourceId", sourceId,
                        "raw", Map.of("sql", "SELECT * FROM no_such_table"), "primaryKey", "id"))
                .post("/api/v1/models").then().statusCode(200).extract().path("id");
        api().post("/api/v1/models/" + failing + "/preview").then().statusCode(422).body("details.query", containsString("no_such_table"));
    }

    @Test
    void dbtModelsResolveFromAnUploadedManifestAndFollowItsUpdates() {
        String sourceId = warehouseSource();
        String uniqueId = "model.shop." + unique("customers").replace('-', '_');
        Map<String, Object> manifest = Map.of("metadata", Map.of("dbt_version", "1.8.0"), "nodes", Map.of(
                uniqueId, Map.of("resource_type", "model", "name", "customers", "database", "warehouse", "schema", "public",
                        "raw_code", "select * from {{ ref('stg_customers') }}", "compiled_code", "select id, email from customers"),
                "test.shop.not_null", Map.of("resource_type", "test", "name", "not_null")));
        api().body(manifest).post("/api/v1/dbt/manifest").then().statusCode(200).body("dbtModels", equalTo(1));
        String modelId = api().body(Map.of("name", "Dbt customers", "slug", unique("dbt"), "sourceId", sourceId, "queryType", "dbt_model",
                        "dbt", Map.of("dbtUniqueId", uniqueId), "primaryKey", "id"))
                .post("/api/v1/models").then().statusCode(200)
                .body("queryType", equalTo("dbt_model"))
                .body("dbt.compiledSql", equalTo("select id, email from customers"))
                .body("dbt.schema", equalTo("public"))
                .extract().path("id");
        api().post("/api/v1/models/" + modelId + "/preview").then().statusCode(200).body("columns.name", equalTo(List.of("id", "email")));

        Map<String, Object> next = Map.of("nodes", Map.of(uniqueId, Map.of("resource_type", "model", "name", "customers",
                "database", "warehouse", "schema", "public", "raw_code", "x", "compiled_code", "select id, email, plan from customers")));
        api().body(next).post("/api/v1/dbt/manifest").then().statusCode(200).body("updatedModels", equalTo(List.of(modelId)));
        api().get("/api/v1/models/" + modelId).then().body("dbt.compiledSql", equalTo("select id, email, plan from customers"));

        api().body(Map.of("name", "Unknown", "slug", unique("dbt"), "sourceId", sourceId, "dbt", Map.of("dbtUniqueId", "model.shop.nope"),
                "primaryKey", "id")).post("/api/v1/models").then().statusCode(422).body("details.'dbt.dbtUniqueId'", notNullValue());
    }

    @Test
    void everyChangeIsPublishedWithoutSecretsAndSyncSpecsCarrySealedSecrets() throws Exception {
        Map<String, Object> settings = new HashMap<>(KafkaSettings.consumer(SharedInfrastructure.broker().bootstrapServers(),
                Optional.empty(), "config-events-test-" + UUID.randomUUID()));
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(settings)) {
            consumer.subscribe(List.of(Topics.CONFIG));
            String sourceId = warehouseSource();
            String modelId = customersModel(sourceId);
            String destinationId = webhook();
            String syncId = sync(modelId, destinationId);
            api().body(Map.of("configuration", Map.of("password", "second-pw"))).patch("/api/v1/sources/" + sourceId).then().statusCode(200);
            api().delete("/api/v1/syncs/" + syncId).then().statusCode(204);

            Map<String, List<ConsumerRecord<String, Object>>> byKey = new HashMap<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, Object> r : consumer.poll(Duration.ofMillis(300))) {
                    byKey.computeIfAbsent(r.key(), k -> new java.util.ArrayList<>()).add(r);
                }
                List<ConsumerRecord<String, Object>> specs = byKey.getOrDefault("sync-spec:" + syncId, List.of());
                return specs.size() >= 3 && specs.get(specs.size() - 1).value() == null;
            });
            for (List<ConsumerRecord<String, Object>> records : byKey.values()) {
                for (ConsumerRecord<String, Object> r : records) {
                    if (r.value() != null) {
                        String json = ((ConfigChange) r.value()).getJson();
                        assertFalse(json.contains("warehouse-pw") || json.contains("second-pw") || json.contains("hook-token"), r.key() + ": " + json);
                    }
                }
            }
            JsonNode source = JSON.readTree(((ConfigChange) last(byKey, "source:" + sourceId).value()).getJson());
            assertEquals(sourceId, source.get("id").asText());
            assertFalse(source.get("configuration").has("password"), source.toString());
            assertTrue(source.get("configuration").has("host"));
            JsonNode destination = JSON.readTree(((ConfigChange) last(byKey, "destination:" + destinationId).value()).getJson());
            assertFalse(destination.get("configuration").get("headers").has("Authorization"), destination.toString());

            // the spec was republished when its source changed, with the new password sealed
            List<ConsumerRecord<String, Object>> specs = byKey.get("sync-spec:" + syncId);
            ConfigChange latestSpec = (ConfigChange) specs.get(specs.size() - 2).value();
            assertEquals("sync-spec", latestSpec.getKind());
            SyncSpec spec = SyncSpec.fromJson(latestSpec.getJson());
            String sealed = spec.source().configuration().get("password").asText();
            assertTrue(SecretBox.isSealed(sealed));
            assertEquals("second-pw", BOX.open(sealed));
            assertTrue(SecretBox.isSealed(spec.destination().configuration().get("headers").get("Authorization").asText()));
            assertNull(last(byKey, "sync:" + syncId).value(), "a deleted sync is a tombstone");
        }
    }

    @Test
    void theOpenApiDocumentAndSwaggerUiAreServedWithoutAKey() {
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths", hasKey("/api/v1/syncs/{id}/trigger"))
                .body("paths", hasKey("/api/v1/syncs/{id}/runs"))
                .body("paths", hasKey("/api/v1/api-keys"))
                .body("paths.'/api/v1/sources/{id}'", hasKey("patch"))
                .body("paths.'/api/v1/sources/{id}'", hasKey("delete"));
        given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
    }

    private static ConsumerRecord<String, Object> last(Map<String, List<ConsumerRecord<String, Object>>> byKey, String key) {
        List<ConsumerRecord<String, Object>> records = byKey.get(key);
        assertTrue(records != null && !records.isEmpty(), "nothing published under " + key);
        return records.get(records.size() - 1);
    }
}
