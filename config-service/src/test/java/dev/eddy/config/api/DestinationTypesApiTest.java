package dev.eddy.config.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.eddy.config.api.Fixtures.api;
import static dev.eddy.config.api.Fixtures.customersModel;
import static dev.eddy.config.api.Fixtures.unique;
import static dev.eddy.config.api.Fixtures.warehouseSource;
import static dev.eddy.config.api.Fixtures.webhook;
import static org.hamcrest.Matchers.aMapWithSize;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * http, postgres and kafka destinations through {@code /api/v1/destinations}, checked by the rules delivery's
 * connectors apply (every problem at once, by field path), their secrets sealed at rest and masked; and syncs whose
 * type, mode or settings the destination cannot carry out refused up front.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class DestinationTypesApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecretBox BOX = new SecretBox(EddyInfrastructureResource.SECRET_KEY);

    @Inject
    AgroalDataSource dataSource;

    private JsonNode stored(String id) throws Exception {
        try (Connection c = dataSource.getConnection();
             var ps = c.prepareStatement("SELECT configuration::text FROM config.destinations WHERE id = ?")) {
            ps.setLong(1, Long.parseLong(id));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return JSON.readTree(rs.getString(1));
            }
        }
    }

    private static String create(String type, Map<String, Object> configuration) {
        return api().body(Map.of("name", type + " destination", "slug", unique(type), "type", type, "configuration", configuration))
                .post("/api/v1/destinations").then().statusCode(200)
                .body("type", equalTo(type)).extract().path("id");
    }

    @Test
    void kafkaProducerSettingsOutsideTheAllowListAreRefusedNamingTheSetting() {
        // config.providers=env would expand ${env:EDDY_SECRET_KEY} inside delivery and send it to the broker as client.id
        api().body(Map.of("name", "x", "slug", unique("k"), "type", "kafka", "configuration", Map.of(
                        "bootstrapServers", "broker:9092", "topic", "t",
                        "properties", Map.of("config.providers", "env", "client.id", "${env:EDDY_SECRET_KEY}",
                                "ssl.truststore.location", "/etc/passwd", "interceptor.classes", "x.Evil",
                                "sasl.jaas.config", "com.sun.security.auth.module.Krb5LoginModule required keyTab=\"/etc/k\";"))))
                .post("/api/v1/destinations").then().statusCode(422)
                .body("details", aMapWithSize(5))
                .body("details.'configuration.properties.config.providers'", containsString("not allowed"))
                .body("details.'configuration.properties.client.id'", containsString("config provider"))
                .body("details.'configuration.properties.ssl.truststore.location'", containsString("a file on delivery's host"))
                .body("details.'configuration.properties.interceptor.classes'", containsString("load code"))
                .body("details.'configuration.properties.sasl.jaas.config'", containsString("PlainLoginModule"));
    }

    @Test
    void aTemplateThatIncludesAFileIsRefused() {
        api().body(Map.of("name", "x", "slug", unique("h"), "type", "http", "configuration", Map.of(
                        "added", Map.of("method", "POST", "url", "https://api.example.com/u",
                                "body", "{\"env\": \"{% include '/proc/self/environ' %}\"}"))))
                .post("/api/v1/destinations").then().statusCode(422)
                .body("details.'configuration.added.body'", containsString("include is not allowed in templates"));
    }

    private static Map<String, Object> postgres() {
        return Map.of("host", "127.0.0.1", "port", 5432, "database", "crm", "user", "eddy", "password", "pg-s3cret",
                "table", "customers", "keyColumn", "id");
    }

    @Test
    void httpPostgresAndKafkaDestinationsAreCreatedWithTheirSecretsSealedAndMasked() throws Exception {
        String http = create("http", Map.of("batched", true, "signingSecret", "hmac-s3cret",
                "headers", Map.of("Authorization", "Bearer tok-1", "X-Api-Key", "key-123", "X-Team", "growth"),
                "added", Map.of("method", "POST", "url", "https://api.example.com/users", "body", "{{ row | json }}")));
        api().get("/api/v1/destinations/" + http).then().statusCode(200)
                .body("configuration.headers.Authorization", equalTo(SecretBox.MASK))
                .body("configuration.headers.X-Api-Key", equalTo(SecretBox.MASK))
                .body("configuration.headers.X-Team", equalTo("growth"))
                .body("configuration.signingSecret", equalTo(SecretBox.MASK))
                .body("configuration.added.url", equalTo("https://api.example.com/users"));
        JsonNode httpStored = stored(http);
        assertEquals("key-123", BOX.open(httpStored.at("/headers/X-Api-Key").asText()));
        assertEquals("hmac-s3cret", BOX.open(httpStored.get("signingSecret").asText()));
        assertFalse(httpStored.toString().contains("tok-1"), httpStored.toString());

        String pg = create("postgres", postgres());
        api().get("/api/v1/destinations/" + pg).then().body("configuration.password", equalTo(SecretBox.MASK))
                .body("configuration.table", equalTo("customers"));
        assertEquals("pg-s3cret", BOX.open(stored(pg).get("password").asText()));

        String kafka = create("kafka", Map.of("bootstrapServers", "broker:9092", "topic", "customers.v1",
                "properties", Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
                        "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";",
                        "ssl.key.password", "u:p")));
        api().get("/api/v1/destinations/" + kafka).then()
                .body("configuration.properties.'sasl.jaas.config'", equalTo(SecretBox.MASK))
                .body("configuration.properties.'ssl.key.password'", equalTo(SecretBox.MASK))
                .body("configuration.properties.'security.protocol'", equalTo("SASL_SSL"));
        assertTrue(SecretBox.isSealed(stored(kafka).at("/properties/ssl.key.password").asText()));

        // PATCH: the mask read back keeps the secret; the merged configuration is checked like a create
        api().body(Map.of("configuration", Map.of("password", SecretBox.MASK, "table", "contacts")))
                .patch("/api/v1/destinations/" + pg).then().statusCode(200).body("configuration.table", equalTo("contacts"));
        assertEquals("pg-s3cret", BOX.open(stored(pg).get("password").asText()));
        api().body(Map.of("configuration", Map.of("table", "", "port", "x")))
                .patch("/api/v1/destinations/" + pg).then().statusCode(422)
                .body("details.'configuration.table'", equalTo("is required"))
                .body("details.'configuration.port'", equalTo("must be a port number (1-65535)"));
    }

    @Test
    void everyConfigurationProblemIsAnsweredAtOnceByFieldPath() {
        api().body(Map.of("name", "x", "slug", unique("http"), "type", "http", "configuration", Map.of(
                        "added", Map.of("method", "FETCH", "url", "https://x.io/{% if %}"), "batched", "yes",
                        "headers", Map.of("Host", "x"))))
                .post("/api/v1/destinations").then().statusCode(422)
                .body("message", equalTo("Validation failed"))
                .body("details", aMapWithSize(4))
                .body("details.'configuration.added.method'", startsWith("must be one of DELETE, GET, PATCH, POST, PUT"))
                .body("details.'configuration.added.url'", containsString("not valid Liquid"))
                .body("details.'configuration.batched'", equalTo("must be true or false"))
                .body("details.'configuration.headers.Host'", equalTo("is set by Eddy and cannot be configured"));
        api().body(Map.of("name", "x", "slug", unique("pg"), "type", "postgres", "configuration", Map.of("port", 70000)))
                .post("/api/v1/destinations").then().statusCode(422)
                .body("details", aMapWithSize(4))
                .body("details.'configuration.host'", equalTo("is required (or jdbcUrl)"))
                .body("details.'configuration.database'", equalTo("is required (or jdbcUrl)"))
                .body("details.'configuration.port'", equalTo("must be a port number (1-65535)"))
                .body("details.'configuration.table'", equalTo("is required"));
        api().body(Map.of("name", "x", "slug", unique("k"), "type", "kafka", "configuration", Map.of("topic", "no spaces")))
                .post("/api/v1/destinations").then().statusCode(422)
                .body("details.'configuration.bootstrapServers'", containsString("is required"))
                .body("details.'configuration.topic'", containsString("letters, digits"));
        api().body(Map.of("name", "x", "slug", unique("w"), "type", "webhook", "configuration", Map.of("url", "ftp://x.io")))
                .post("/api/v1/destinations").then().statusCode(422)
                .body("details.'configuration.url'", equalTo("must be an absolute http or https URL"));
        api().body(Map.of("name", "x", "slug", unique("s"), "type", "salesforce", "configuration", Map.of()))
                .post("/api/v1/destinations").then().statusCode(422)
                .body("details.type", equalTo("unknown destination type 'salesforce'; supported: http, kafka, postgres, webhook"));
    }

    @Test
    void aSyncTheDestinationCannotCarryOutIsRefusedNamingTheField() {
        String modelId = customersModel(warehouseSource());
        String pg = create("postgres", Map.of("host", "127.0.0.1", "database", "crm", "table", "customers"));
        String hook = webhook();

        // postgres holds records, not events; and upsert needs a column to match records on
        sync(modelId, pg, Map.of("type", "event")).statusCode(422)
                .body("details.'configuration.type'", equalTo("destination type postgres does not support sync type event (supported: object)"));
        sync(modelId, pg, Map.of("mode", "upsert")).statusCode(422)
                .body("details.'configuration.externalIdMapping'", containsString("needs a record-matching column"));
        sync(modelId, pg, Map.of("mode", "upsert", "deleteBehavior", "delete",
                "externalIdMapping", Map.of("from", "email", "to", "email", "type", "standard"))).statusCode(422)
                .body("details.'configuration.externalIdMapping.from'", containsString("primary key (id)"));
        String synced = sync(modelId, pg, Map.of("mode", "upsert", "deleteBehavior", "clear_fields",
                "externalIdMapping", Map.of("from", "id", "to", "id"))).statusCode(200).extract().path("id");
        api().body(Map.of("configuration", Map.of("type", "event"))).patch("/api/v1/syncs/" + synced).then().statusCode(422)
                .body("details.'configuration.type'", containsString("does not support sync type event"));

        // settings are read by delivery's rules, every problem at once (before, type "bogus" only failed the run)
        sync(modelId, hook, Map.of("type", "bogus", "mode", "merge", "batchSize", 0, "concurrency", 2.5,
                "rateLimit", Map.of("requests", 0), "retry", Map.of("maxAttempts", -1),
                "mappings", List.of(Map.of("type", "template", "to", "name", "template", "{{ row.first_name | ")))).statusCode(422)
                .body("details.'configuration.type'", equalTo("must be object or event"))
                .body("details.'configuration.mode'", equalTo("must be one of insert, update, upsert"))
                .body("details.'configuration.batchSize'", equalTo("must be a positive whole number"))
                .body("details.'configuration.concurrency'", equalTo("must be a positive whole number"))
                .body("details.'configuration.rateLimit.requests'", equalTo("must be a positive whole number"))
                .body("details.'configuration.retry.maxAttempts'", equalTo("must be a positive whole number"))
                .body("details.'configuration.mappings[0].template'", containsString("not valid Liquid"));
        sync(modelId, hook, Map.of("type", "event", "batchSize", 50, "rateLimit", Map.of("requests", 10, "perSeconds", 1),
                "mappings", List.of(Map.of("from", "email", "to", "email")))).statusCode(200)
                .body("configuration.type", equalTo("event"));
    }

    private static io.restassured.response.ValidatableResponse sync(String modelId, String destinationId,
                                                                     Map<String, Object> configuration) {
        Map<String, Object> body = new HashMap<>(Map.of("slug", unique("sync"), "modelId", modelId,
                "destinationId", destinationId, "configuration", configuration));
        return api().body(body).post("/api/v1/syncs").then();
    }
}
