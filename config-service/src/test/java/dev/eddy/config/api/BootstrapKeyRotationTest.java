package dev.eddy.config.api;

import dev.eddy.config.service.ApiKeys;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.eddy.config.api.Fixtures.KEY;
import static dev.eddy.config.api.Fixtures.api;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A restart with another {@code EDDY_API_KEY}: the start step that stores the bootstrap key runs again with the new
 * key, against the service's real database, exactly as at a start.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class BootstrapKeyRotationTest {

    @Inject
    ApiKeys keys;
    @Inject
    AgroalDataSource dataSource;

    @Test
    void aNewBootstrapKeyRevokesThePreviousOneAndKeepsKeysMadeThroughTheApi() throws Exception {
        String name = Fixtures.unique("ci");
        String made = api().body(Map.of("name", name)).post("/api/v1/api-keys").then().statusCode(201).extract().path("key");
        String rotated = "rotated-" + java.util.UUID.randomUUID();
        try {
            keys.storeBootstrapKey(rotated);

            status(KEY, 401);
            status(rotated, 200);
            status(made, 200);
            List<Map<String, Object>> listed = given().header("Authorization", "Bearer " + rotated)
                    .get("/api/v1/api-keys").then().statusCode(200).extract().jsonPath().getList("data");
            assertEquals(1, activeBootstrapKeys(), "exactly one bootstrap key is active");
            assertNull(listed.stream().filter(k -> name.equals(k.get("name"))).findFirst().orElseThrow().get("revokedAt"));

            // the same key again (a plain restart) changes nothing
            keys.storeBootstrapKey(rotated);
            status(rotated, 200);
            status(KEY, 401);
        } finally {
            // rotating back makes the earlier key valid again: the environment names the bootstrap key
            keys.storeBootstrapKey(KEY);
        }
        status(KEY, 200);
        status(rotated, 401);
        status(made, 200);
    }

    @Test
    void aKeyMadeThroughTheApiNamedBootstrapIsNotTakenForTheBootstrapKey() {
        String named = api().body(Map.of("name", "bootstrap")).post("/api/v1/api-keys").then().statusCode(201).extract().path("key");
        try {
            keys.storeBootstrapKey("another-" + java.util.UUID.randomUUID());
            status(named, 200);
        } finally {
            keys.storeBootstrapKey(KEY);
        }
        status(KEY, 200);
        status(named, 200);
    }

    private long activeBootstrapKeys() throws Exception {
        try (var c = dataSource.getConnection(); var rs = c.createStatement()
                .executeQuery("SELECT count(*) FROM config.api_keys WHERE bootstrap AND revoked_at IS NULL")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void status(String key, int expected) {
        given().header("Authorization", "Bearer " + key).get("/api/v1/syncs").then().statusCode(expected);
    }
}
