package dev.eddy.config.api;

import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static dev.eddy.config.api.Fixtures.api;
import static dev.eddy.config.api.Fixtures.unique;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secrets never reach config-service's log: every line logged while sources, destinations, syncs and Git Sync are
 * created, changed, tested and run with secrets in them (including failures that quote the configuration's
 * surroundings) is captured and searched for the secret values.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class SecretsNeverLoggedTest {

    private static final String PASSWORD = "pw-0f4c2e9a-never-logged";
    private static final String HEADER_TOKEN = "tok-7d1b33e8-never-logged";
    private static final String GIT_TOKEN = "git-91aa04c2-never-logged";

    @RegisterExtension
    final LogCapture log = new LogCapture();

    @Test
    void secretsInConfigurationsAndGitCredentialsNeverAppearInTheLog() {
        String sourceId = api().body(Map.of("name", "Unreachable", "slug", unique("wh"), "type", "postgres",
                        "configuration", Map.of("host", "127.0.0.1", "port", 1, "database", "nowhere", "user", "eddy",
                                "password", PASSWORD)))
                .post("/api/v1/sources").then().statusCode(200).extract().path("id");
        api().post("/api/v1/sources/" + sourceId + "/test").then().statusCode(200);
        api().body(Map.of("configuration", Map.of("password", PASSWORD + "-rotated")))
                .patch("/api/v1/sources/" + sourceId).then().statusCode(200);
        String destinationId = api().body(Map.of("name", "Hook", "slug", unique("hook"), "type", "webhook",
                        "configuration", Map.of("url", "http://127.0.0.1:9/hook", "headers", Map.of("Authorization", "Bearer " + HEADER_TOKEN))))
                .post("/api/v1/destinations").then().statusCode(200).extract().path("id");
        String modelId = Fixtures.customersModel(Fixtures.warehouseSource());
        String syncId = Fixtures.sync(modelId, destinationId);
        api().post("/api/v1/syncs/" + syncId + "/trigger").then().statusCode(200);
        // a Git host that cannot be reached: the failure is reported (and logged) without the token
        api().body(Map.of("repoUrl", "http://127.0.0.1:9/acme/config.git", "branch", "main",
                        "credentials", Map.of("username", "bot", "token", GIT_TOKEN)))
                .put("/api/v1/git-sync").then().statusCode(422);

        assertTrue(log.lines().stream().anyMatch(l -> l.contains("connection test of source")),
                "the capture sees config-service's log: " + log.lines());
        for (String secret : List.of(PASSWORD, HEADER_TOKEN, GIT_TOKEN)) {
            assertFalse(log.lines().stream().anyMatch(l -> l.contains(secret)), () -> "a secret was logged: "
                    + log.lines().stream().filter(l -> l.contains(secret)).findFirst().orElse(""));
        }
    }
}
