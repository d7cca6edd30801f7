package dev.eddy.config.api;

import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.eddy.config.api.Fixtures.api;
import static dev.eddy.config.api.Fixtures.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The API's boundaries tried as an attacker with an API key would: a PATCH that points a source or destination at
 * his own server keeping the stored secret, sealed values smuggled in, slugs that leave the Git Sync working copy,
 * an interval schedule that overflows the scheduler; and the browser security headers on every answer.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class SecurityBoundariesApiTest {

    @Test
    void aPatchThatRetargetsASourceMustSendItsPasswordAgain() {
        String source = Fixtures.warehouseSource();
        patch("/api/v1/sources/" + source, Map.of("configuration", Map.of("host", "attacker.example")))
                .statusCode(422).body("details", hasKey("configuration.password"))
                .body("details.'configuration.password'", containsString("configuration.host"));
        patch("/api/v1/sources/" + source, Map.of("configuration", Map.of("port", 15432)))
                .statusCode(422).body("details", hasKey("configuration.password"));
        patch("/api/v1/sources/" + source, Map.of("configuration", Map.of("database", "other")))
                .statusCode(422).body("details", hasKey("configuration.password"));
        // the masked value read back is the stored secret too
        patch("/api/v1/sources/" + source, Map.of("configuration", Map.of("host", "attacker.example", "password", "********")))
                .statusCode(422).body("details", hasKey("configuration.password"));
        // nothing changed: the source still points where it did
        api().get("/api/v1/sources/" + source).then().statusCode(200).body("configuration.host", not(equalTo("attacker.example")));

        // a change that keeps the target keeps the secret; a retarget with the secret given is fine
        patch("/api/v1/sources/" + source, Map.of("name", "Renamed")).statusCode(200);
        patch("/api/v1/sources/" + source, Map.of("configuration", Map.of("host", "127.0.0.2", "password", "new-pw")))
                .statusCode(200).body("configuration.host", equalTo("127.0.0.2"));
    }

    @Test
    void aPatchThatRetargetsADestinationMustSendItsSecretsAgain() {
        String destination = api().body(Map.of("name", "Hook", "slug", unique("hook"), "type", "webhook",
                        "configuration", Map.of("url", "http://127.0.0.1:9/hook", "signingSecret", "hook-signing-secret",
                                "headers", Map.of("X-Api-Key", "hook-api-key"))))
                .post("/api/v1/destinations").then().statusCode(anyOf(is(200), is(201))).extract().path("id");

        patch("/api/v1/destinations/" + destination, Map.of("configuration", Map.of("url", "http://attacker.example/collect")))
                .statusCode(422)
                .body("details", hasKey("configuration.signingSecret"))
                .body("details", hasKey("configuration.headers.X-Api-Key"))
                .body("details.'configuration.signingSecret'", containsString("configuration.url"));
        api().get("/api/v1/destinations/" + destination).then().statusCode(200)
                .body("configuration.url", equalTo("http://127.0.0.1:9/hook"));

        patch("/api/v1/destinations/" + destination, Map.of("configuration", Map.of("url", "http://127.0.0.1:10/hook",
                "signingSecret", "another-secret", "headers", Map.of("X-Api-Key", "another-key")))).statusCode(200);
    }

    @Test
    void sealedValuesSentByAClientAreRefused() {
        Map<String, Object> configuration = new HashMap<>(Fixtures.warehouseConfiguration());
        configuration.put("password", "sealed:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        api().body(Map.of("name", "W", "slug", unique("wh"), "type", "postgres", "configuration", configuration))
                .post("/api/v1/sources").then().statusCode(422).body("details", hasKey("configuration.password"));

        String destination = Fixtures.webhook();
        patch("/api/v1/destinations/" + destination, Map.of("configuration",
                Map.of("headers", Map.of("X-Api-Key", "sealed:v1:json:AAAAAAAAAAAAAAAA"))))
                .statusCode(422).body("details", hasKey("configuration.headers.X-Api-Key"));
    }

    @Test
    void aSlugThatWouldLeaveTheGitSyncWorkingCopyIsRefusedForEveryKind() {
        String source = Fixtures.warehouseSource();
        String model = Fixtures.customersModel(source);
        String destination = Fixtures.webhook();
        String sync = Fixtures.sync(model, destination);
        for (String slug : List.of("../../x", "models/../../x", "..", "a/b", "x.yaml")) {
            api().body(Map.of("name", "W", "slug", slug, "type", "postgres", "configuration", Fixtures.warehouseConfiguration()))
                    .post("/api/v1/sources").then().statusCode(422).body("details", hasKey("slug"));
            api().body(Map.of("name", "M", "slug", slug, "sourceId", source, "queryType", "raw_sql",
                    "raw", Map.of("sql", "SELECT 1 AS id"), "primaryKey", "id")).post("/api/v1/models")
                    .then().statusCode(422).body("details", hasKey("slug"));
            api().body(Map.of("name", "D", "slug", slug, "type", "webhook", "configuration", Map.of("url", "http://127.0.0.1:9/h")))
                    .post("/api/v1/destinations").then().statusCode(422).body("details", hasKey("slug"));
            patch("/api/v1/syncs/" + sync, Map.of("slug", slug)).statusCode(422).body("details", hasKey("slug"));
            patch("/api/v1/models/" + model, Map.of("slug", slug)).statusCode(422).body("details", hasKey("slug"));
            api().body(Map.of("name", "Q", "slug", slug, "steps", List.of(Map.of("syncId", sync))))
                    .post("/api/v1/sync-sequences").then().statusCode(422).body("details", hasKey("slug"));
        }
    }

    @Test
    void anIntervalLongerThanAYearIsRefusedNamingTheQuantity() {
        String sync = Fixtures.newSync();
        for (Map<String, Object> interval : List.of(Map.<String, Object>of("quantity", 9_000_000_000_000_000L, "unit", "week"),
                Map.<String, Object>of("quantity", 367, "unit", "day"), Map.<String, Object>of("quantity", 527_041, "unit", "minute"),
                Map.<String, Object>of("quantity", 1.5, "unit", "hour"))) {
            patch("/api/v1/syncs/" + sync, Map.of("schedule", Map.of("type", "interval", "schedule", Map.of("interval", interval))))
                    .statusCode(422).body("details", hasKey("schedule.schedule.interval.quantity"));
        }
        patch("/api/v1/syncs/" + sync, Map.of("schedule", Map.of("type", "interval",
                "schedule", Map.of("interval", Map.of("quantity", 366, "unit", "day"))))).statusCode(200);
    }

    @Test
    void theApiAndTheDashboardAnswerWithTheBrowserSecurityHeaders() {
        for (ValidatableResponse response : List.of(
                api().get("/api/v1/sources").then().statusCode(200),
                given().get("/api/v1/sources").then().statusCode(401),
                given().get("/").then().statusCode(200),
                given().get("/dashboard/app.js").then().statusCode(200))) {
            response.header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                    .header("Content-Security-Policy", containsString("script-src 'self'"))
                    .header("X-Frame-Options", equalTo("DENY"))
                    .header("Referrer-Policy", equalTo("no-referrer"))
                    .header("X-Content-Type-Options", equalTo("nosniff"));
        }
    }

    private static ValidatableResponse patch(String path, Map<String, ?> body) {
        return api().body(body).patch(path).then();
    }
}
