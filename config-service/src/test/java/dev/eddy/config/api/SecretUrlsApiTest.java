package dev.eddy.config.api;

import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.secrets.UrlSecrets;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;

import static dev.eddy.config.api.Fixtures.api;
import static dev.eddy.config.api.Fixtures.unique;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tokens inside destination URLs ({@code ?token=}, {@code user:pass@}) are secrets: sealed in place at rest, masked in
 * responses, never logged; a URL carrying a sealed value or a mask is refused.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class SecretUrlsApiTest {

    private static final String TOKEN = "abc123-5e1f-never-shown";
    private static final String USER_PASSWORD = "pass-77c0-never-shown";
    private static final SecretBox BOX = new SecretBox(EddyInfrastructureResource.SECRET_KEY);

    @Inject
    AgroalDataSource dataSource;

    @RegisterExtension
    final LogCapture log = new LogCapture();

    @Test
    void aWebhookTokenInTheQueryIsSealedAtRestAndMaskedInTheApi() throws Exception {
        String url = "https://bot:" + USER_PASSWORD + "@hooks.example.com/x?team=growth&token=" + TOKEN;
        String id = api().body(Map.of("name", "Hook", "slug", unique("hook"), "type", "webhook", "configuration", Map.of("url", url)))
                .post("/api/v1/destinations").then().statusCode(200)
                .body("configuration.url", equalTo("https://" + SecretBox.MASK + "@hooks.example.com/x?team=growth&token=" + SecretBox.MASK))
                .extract().path("id");
        api().get("/api/v1/destinations/" + id).then().statusCode(200)
                .body("configuration.url", equalTo("https://" + SecretBox.MASK + "@hooks.example.com/x?team=growth&token=" + SecretBox.MASK));
        api().get("/api/v1/destinations").then().statusCode(200).body(org.hamcrest.Matchers.not(containsString(TOKEN)));

        String stored = stored(id);
        assertFalse(stored.contains(TOKEN) || stored.contains(USER_PASSWORD), stored);
        String storedUrl = new com.fasterxml.jackson.databind.ObjectMapper().readTree(stored).get("url").asText();
        assertEquals(url, UrlSecrets.open(storedUrl, BOX::open), "delivery opens the URL the user gave");

        // a name change keeps the sealed URL as it is
        api().body(Map.of("name", "Renamed")).patch("/api/v1/destinations/" + id).then().statusCode(200);
        assertEquals(storedUrl, new com.fasterxml.jackson.databind.ObjectMapper().readTree(stored(id)).get("url").asText());

        for (String line : log.lines()) {
            assertFalse(line.contains(TOKEN) || line.contains(USER_PASSWORD), "a URL secret was logged: " + line);
        }
    }

    @Test
    void aUrlCarryingASealedValueOrTheMaskIsRefused() throws Exception {
        String other = UrlSecrets.seal("https://hooks.example.com/x?token=someone-elses-token", BOX::seal);
        api().body(Map.of("name", "Hook", "slug", unique("hook"), "type", "webhook",
                        "configuration", Map.of("url", "https://attacker.example/?token=" + other.substring(other.indexOf("token=") + 6))))
                .post("/api/v1/destinations").then().statusCode(422)
                .body("details.'configuration.url'", containsString("must not carry a sealed value"));
        String id = api().body(Map.of("name", "Hook", "slug", unique("hook"), "type", "webhook",
                        "configuration", Map.of("url", "https://hooks.example.com/x?token=" + TOKEN)))
                .post("/api/v1/destinations").then().statusCode(200).extract().path("id");
        api().body(Map.of("configuration", Map.of("url", "https://hooks.example.com/x?token=" + SecretBox.MASK)))
                .patch("/api/v1/destinations/" + id).then().statusCode(422)
                .body("details.'configuration.url'", containsString("carries a mask"));
        api().body(Map.of("name", "Hook", "slug", unique("http"), "type", "http", "configuration", Map.of("added",
                        Map.of("method", "POST", "url", "https://api.example.com/{{ row.id }}?api_key=" + TOKEN, "body", "{}"))))
                .post("/api/v1/destinations").then().statusCode(200)
                .body("configuration.added.url", equalTo("https://api.example.com/{{ row.id }}?api_key=" + SecretBox.MASK));
    }

    private String stored(String id) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT configuration::text FROM config.destinations WHERE id = ?")) {
            s.setLong(1, Long.parseLong(id));
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next());
                return rs.getString(1);
            }
        }
    }
}
