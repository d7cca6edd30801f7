package dev.eddy.config.api;

import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.eddy.config.api.Fixtures.api;
import static dev.eddy.config.api.Fixtures.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A misspelt setting is refused, not silently ignored: every unknown key of a sync, source, destination, model or
 * sequence, at any depth, is a 422 naming it by its path and the key probably meant; the read-only keys a client
 * echoes back from a GET are tolerated.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class UnknownKeysApiTest {

    private static Map<String, Object> syncBody(String slug, String modelId, String destinationId, Map<String, Object> configuration,
                                                Map<String, Object> schedule) {
        return new HashMap<>(Map.of("slug", slug, "modelId", modelId, "destinationId", destinationId,
                "schedule", schedule, "configuration", configuration));
    }

    private static JsonPath refused(Object body, String path) {
        return api().body(body).post(path).then().statusCode(422).extract().jsonPath();
    }

    private static int count(String path, String slug) {
        return api().get(path + "?slug=" + slug).then().statusCode(200).extract().jsonPath().getList("data").size();
    }

    @Test
    void britishDeleteBehaviourIsRefusedWithTheAmericanKeyAndNoSyncIsCreated() {
        String modelId = Fixtures.customersModel(Fixtures.warehouseSource());
        String destinationId = Fixtures.webhook();
        String slug = unique("brit");
        JsonPath answer = refused(syncBody(slug, modelId, destinationId,
                Map.of("mode", "upsert", "deleteBehaviour", "delete",
                        "mappings", List.of(Map.of("from", "email", "to", "email", "type", "standard"))),
                Map.of("type", "manual")), "/api/v1/syncs");
        assertEquals("Validation failed", answer.getString("message"));
        assertEquals("unknown setting; did you mean deleteBehavior?", answer.getString("details.'configuration.deleteBehaviour'"));
        assertEquals(0, count("/api/v1/syncs", slug));
    }

    @Test
    void everyUnknownKeyOfASyncComesBackTogetherWithItsPath() {
        String modelId = Fixtures.customersModel(Fixtures.warehouseSource());
        String destinationId = Fixtures.webhook();
        Map<String, Object> body = syncBody(unique("many"), modelId, destinationId,
                Map.of("mode", "upsert", "retry", Map.of("maxAtempts", 3),
                        "mappings", List.of(Map.of("from", "email", "to", "email"), Map.of("frm", "plan", "to", "plan"))),
                Map.of("type", "interval", "schedule", Map.of("interval", Map.of("quantity", 1, "unit", "hour", "quantiy", 2))));
        body.put("schedulePuased", true);
        body.put("bogusSetting", 1);
        Map<String, String> details = refused(body, "/api/v1/syncs").getMap("details");
        assertEquals("unknown setting; did you mean from?", details.get("configuration.mappings[1].frm"), details.toString());
        assertEquals("unknown setting; did you mean maxAttempts?", details.get("configuration.retry.maxAtempts"), details.toString());
        assertEquals("unknown setting; did you mean quantity?", details.get("schedule.schedule.interval.quantiy"), details.toString());
        assertEquals("unknown setting; did you mean schedulePaused?", details.get("schedulePuased"), details.toString());
        assertTrue(details.get("bogusSetting").startsWith("unknown setting; known: slug, modelId"), details.toString());
    }

    @Test
    void aPatchWithAMisspeltSettingIsRefusedAndChangesNothing() {
        String syncId = Fixtures.newSync();
        JsonPath answer = api().body(Map.of("configuration", Map.of("deleteBehaviour", "do_nothing")))
                .patch("/api/v1/syncs/" + syncId).then().statusCode(422).extract().jsonPath();
        assertEquals("unknown setting; did you mean deleteBehavior?", answer.getString("details.'configuration.deleteBehaviour'"));
        assertEquals("delete", api().get("/api/v1/syncs/" + syncId).then().statusCode(200).extract().path("configuration.deleteBehavior"));
    }

    @Test
    void sourceConfigurationKeysAreTheTypesOwn() {
        String slug = unique("src");
        Map<String, Object> configuration = new HashMap<>(Fixtures.warehouseConfiguration());
        configuration.put("bogusSetting", 1);
        configuration.put("sslMode", "require");
        Map<String, String> details = refused(Map.of("name", "S", "slug", slug, "type", "postgres", "configuration", configuration),
                "/api/v1/sources").getMap("details");
        assertEquals("unknown setting; known: host, port, database, user, password, sslmode",
                details.get("configuration.bogusSetting"), details.toString());
        // MySQL's spelling on a PostgreSQL source
        assertEquals("unknown setting; did you mean sslmode?", details.get("configuration.sslMode"), details.toString());
        assertEquals(0, count("/api/v1/sources", slug));
    }

    @Test
    void destinationConfigurationTyposAreRefusedButHeaderNamesAreFree() {
        String slug = unique("http");
        Map<String, Object> body = Map.of("name", "Api", "slug", slug, "type", "http", "configuration", Map.of(
                "headers", Map.of("X-Whatever-You-Like", "1"), "batchd", true,
                "added", Map.of("metod", "POST", "url", "https://api.example.com/users")));
        Map<String, String> details = refused(body, "/api/v1/destinations").getMap("details");
        assertEquals("unknown setting; did you mean batched?", details.get("configuration.batchd"), details.toString());
        assertEquals("unknown setting; did you mean method?", details.get("configuration.added.metod"), details.toString());
        assertTrue(details.keySet().stream().noneMatch(k -> k.startsWith("configuration.headers")), details.toString());
        assertEquals(0, count("/api/v1/destinations", slug));

        api().body(Map.of("name", "Api", "slug", slug, "type", "http", "configuration", Map.of(
                        "headers", Map.of("X-Whatever-You-Like", "1"), "batched", true,
                        "added", Map.of("method", "POST", "url", "https://api.example.com/users"))))
                .post("/api/v1/destinations").then().statusCode(200);
    }

    @Test
    void modelTyposAreRefused() {
        String sourceId = Fixtures.warehouseSource();
        String slug = unique("mod");
        Map<String, Object> body = Map.of("name", "M", "slug", slug, "sourceId", sourceId, "primaryKey", "id",
                "raw", Map.of("sql", "SELECT 1 AS id", "sqll", "x"), "tag", Map.of("team", "growth"));
        Map<String, String> details = refused(body, "/api/v1/models").getMap("details");
        assertEquals("unknown setting; did you mean tags?", details.get("tag"), details.toString());
        assertEquals("unknown setting; did you mean sql?", details.get("raw.sqll"), details.toString());
        assertEquals(0, count("/api/v1/models", slug));
    }

    @Test
    void sequenceTyposAreRefused() {
        String syncId = Fixtures.newSync();
        String slug = unique("seq");
        Map<String, Object> body = Map.of("name", "Q", "slug", slug,
                "schedule", Map.of("type", "cron", "schedule", Map.of("expresion", "0 * * * *")),
                "steps", List.of(Map.of("syncId", syncId, "failurPolicy", "never")));
        Map<String, String> details = api().body(body).post("/api/v1/sync-sequences").then().statusCode(422)
                .extract().jsonPath().getMap("details");
        assertEquals("unknown setting; did you mean failurePolicy?", details.get("steps[0].failurPolicy"), details.toString());
        assertEquals("unknown setting; did you mean expression?", details.get("schedule.schedule.expresion"), details.toString());
    }

    /** What Hightouch's clients do: read an object, change a field, send the whole object back. */
    @Test
    void everyObjectReadBackIsAcceptedWithItsReadOnlyKeys() {
        String sourceId = Fixtures.warehouseSource();
        String modelId = Fixtures.customersModel(sourceId);
        String destinationId = Fixtures.webhook();
        String syncId = Fixtures.sync(modelId, destinationId);
        for (String path : List.of("/api/v1/sources/" + sourceId, "/api/v1/models/" + modelId,
                "/api/v1/destinations/" + destinationId, "/api/v1/syncs/" + syncId)) {
            Map<String, Object> read = api().get(path).then().statusCode(200).extract().jsonPath().getMap("");
            api().body(read).patch(path).then().statusCode(200);
        }
        String sequenceId = api().body(Map.of("name", "Q", "slug", unique("seq"), "steps", List.of(Map.of("syncId", syncId))))
                .post("/api/v1/sync-sequences").then().statusCode(201).extract().path("id");
        Map<String, Object> sequence = api().get("/api/v1/sync-sequences/" + sequenceId).then().statusCode(200)
                .extract().jsonPath().getMap("");
        api().body(sequence).patch("/api/v1/sync-sequences/" + sequenceId).then().statusCode(200);

        // Hightouch's own sync configuration keys (as its Git Sync export holds them) are tolerated too
        api().body(Map.of("configuration", Map.of("configVersion", 2, "customMappings", List.of(), "aliasMappings", List.of())))
                .patch("/api/v1/syncs/" + syncId).then().statusCode(200);
    }
}
