package dev.eddy.delivery.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.secrets.InternalCredential;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.testsupport.EddyInfrastructureResource;
import dev.eddy.testsupport.RecordingHttpSink;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Test-a-row through the real connector against a real local HTTP server, secrets redacted in what it shows. */
@QuarkusTest
@WithTestResource(EddyInfrastructureResource.class)
class TestRowResourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final RecordingHttpSink sink = new RecordingHttpSink();
    private final SecretBox secrets = new SecretBox(EddyInfrastructureResource.SECRET_KEY);

    @AfterEach
    void close() {
        sink.close();
    }

    private SyncSpec spec(String destinationJson) throws Exception {
        String configuration = """
                {"mode": "upsert", "mappings": [
                  {"from": "email", "to": "contact.email", "type": "standard"},
                  {"to": "source", "type": "static", "value": "eddy"},
                  {"to": "name", "type": "template", "template": "{{ row.first_name | upcase }}"}]}""";
        SyncSpec spec = new SyncSpec("77", "users-to-crm", 1,
                new SyncSpec.Model("m1", "Users", "users", "id", "select 1"), null,
                new SyncSpec.Connection("d1", "crm", "http", (ObjectNode) JSON.readTree(destinationJson)),
                (ObjectNode) JSON.readTree(configuration));
        return spec;
    }

    @Test
    void aRowGoesThroughTheRealConnectorAndTheExchangeComesBackWithSecretsRedacted() throws Exception {
        sink.respondWith(r -> new RecordingHttpSink.Response(201, "{\"id\": \"crm-1\"}", Map.of("X-Request-Id", "abc")));
        String destination = JSON.writeValueAsString(Map.of(
                "headers", Map.of("Authorization", secrets.seal("Bearer sk_live_123456"), "X-Team", "growth"),
                "added", Map.of("method", "POST", "url", "http://127.0.0.1:" + sink.port() + "/contacts",
                        "body", "{\"contact\": {{ row.contact | json }}, \"source\": {{ row.source | json }}, \"name\": {{ row.name | json }}}")));
        Map<String, Object> request = InternalCalls.testRow(spec(destination), "added",
                Map.of("id", 5, "email", "ada@example.com", "first_name", "Ada"));

        String response = InternalCalls.internal().body(JSON.writeValueAsString(request))
                .when().post("/internal/test-row")
                .then().statusCode(200)
                .body("op", equalTo("added"))
                .body("outcome.status", equalTo("ACCEPTED"))
                .body("requests", hasSize(1))
                .body("requests[0].method", equalTo("POST"))
                .body("requests[0].url", containsString("/contacts"))
                .body("requests[0].headers.Authorization", equalTo("[redacted]"))
                .body("requests[0].headers.X-Team", equalTo("growth"))
                .body("requests[0].response.status", equalTo(201))
                .body("requests[0].response.body", containsString("crm-1"))
                .body(not(containsString("sk_live_123456")))
                .extract().asString();

        assertEquals(1, sink.requests().size());
        assertEquals("Bearer sk_live_123456", sink.requests().get(0).header("Authorization"), "the real request carried the secret");
        var sent = JSON.readTree(sink.requests().get(0).body());
        assertEquals("ada@example.com", sent.at("/contact/email").asText());
        assertEquals("eddy", sent.get("source").asText());
        assertEquals("ADA", sent.get("name").asText());
        assertTrue(JSON.readTree(response).at("/requests/0/body").asText().contains("ada@example.com"));
    }

    @Test
    void aRefusedRowShowsTheDestinationsReason() throws Exception {
        sink.respondWith(r -> new RecordingHttpSink.Response(422, "{\"error\": \"email domain blocked\"}", Map.of()));
        String destination = JSON.writeValueAsString(Map.of(
                "changed", Map.of("method", "PUT", "url", "http://127.0.0.1:" + sink.port() + "/contacts/{{ primaryKey }}",
                        "body", "{\"email\": {{ row.contact.email | json }}}")));

        InternalCalls.internal()
                .body(JSON.writeValueAsString(InternalCalls.testRow(spec(destination), "changed", Map.of("id", 9, "email", "x@blocked.io"))))
                .when().post("/internal/test-row")
                .then().statusCode(200)
                .body("outcome.status", equalTo("REJECTED"))
                .body("outcome.reason", containsString("email domain blocked"))
                .body("requests[0].url", containsString("/contacts/9"))
                .body("requests[0].response.status", equalTo(422));
    }

    @Test
    void anUnknownOpIsABadRequest() throws Exception {
        InternalCalls.internal()
                .body(JSON.writeValueAsString(InternalCalls.testRow(spec("{\"added\": {\"method\": \"POST\", \"url\": \"http://127.0.0.1:1/x\"}}"),
                        "upserted", Map.of("id", 1))))
                .when().post("/internal/test-row")
                .then().statusCode(400).body("message", containsString("added, changed or removed"));
    }

    @Test
    void withoutTheInternalCredentialNothingIsSentAndTheAnswerIs401WithNoDetail() throws Exception {
        String destination = "{\"added\": {\"method\": \"POST\", \"url\": \"http://127.0.0.1:" + sink.port() + "/x\"}}";
        String body = JSON.writeValueAsString(InternalCalls.testRow(spec(destination), "added", Map.of("id", 1)));
        given().contentType("application/json").body(body).when().post("/internal/test-row")
                .then().statusCode(401).body(equalTo(""));
        given().contentType("application/json").header(InternalCredential.HEADER, "not-the-credential").body(body)
                .when().post("/internal/test-row").then().statusCode(401).body(equalTo(""));
        // the suite key itself is not the credential either
        given().contentType("application/json").header(InternalCredential.HEADER, EddyInfrastructureResource.SECRET_KEY).body(body)
                .when().post("//internal/test-row").then().statusCode(401);
        assertEquals(0, sink.requests().size(), "no request left delivery");
    }

    @Test
    void aForgedSpecPointingElsewhereIsRefusedEvenWithTheCredential() throws Exception {
        String genuine = "{\"added\": {\"method\": \"POST\", \"url\": \"https://crm.example.com/contacts\"}}";
        Map<String, Object> signed = new java.util.HashMap<>(InternalCalls.testRow(spec(genuine), "added", Map.of("id", 1)));
        // the same signature over a spec sending the sync's sealed secrets to another host
        String forged = spec("{\"headers\": {\"Authorization\": \"" + secrets.seal("Bearer sk_live_123456") + "\"}, "
                + "\"added\": {\"method\": \"POST\", \"url\": \"http://127.0.0.1:" + sink.port() + "/steal\"}}").toJson();
        signed.put("spec", forged);
        InternalCalls.internal().body(JSON.writeValueAsString(signed)).when().post("/internal/test-row").then().statusCode(403);
        // a spec signed for another sync id
        Map<String, Object> otherSync = new java.util.HashMap<>(InternalCalls.testRow(spec(genuine), "added", Map.of("id", 1)));
        otherSync.put("syncId", "78");
        InternalCalls.internal().body(JSON.writeValueAsString(otherSync)).when().post("/internal/test-row").then().statusCode(403);
        // a spec object with no signature (the old shape)
        InternalCalls.internal().body(JSON.writeValueAsString(Map.of("syncId", "77", "spec", JSON.readTree(forged), "op", "added")))
                .when().post("/internal/test-row").then().statusCode(400);
        assertEquals(0, sink.requests().size(), "no request left delivery");
    }

    @Test
    void healthStaysOpenForTheLauncher() {
        given().when().get("/q/health/live").then().statusCode(200);
    }
}
