package dev.eddy.delivery.connector.webhook;

import static dev.eddy.delivery.SinkHeaders.header;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.destination.ConfigProblem;
import dev.eddy.contracts.destination.SyncMode;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.delivery.connector.HttpTransport;
import dev.eddy.delivery.spi.ConnectorContext;
import dev.eddy.delivery.spi.DeliveryRow;
import dev.eddy.delivery.spi.DeliveryRow.Operation;
import dev.eddy.delivery.spi.RetriableDeliveryException;
import dev.eddy.delivery.spi.WriteOutcome;
import dev.eddy.testsupport.RecordingHttpSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The webhook connector against a real local HTTP server. */
class WebhookConnectorTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private final RecordingHttpSink sink = new RecordingHttpSink();
    private final SecretBox secrets = new SecretBox("unit-test-key");
    private final WebhookConnector connector = new WebhookConnector(HttpTransport.of(
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()), Duration.ofSeconds(2),
            Clock.fixed(NOW, ZoneOffset.UTC));

    @AfterEach
    void closeSink() {
        connector.close();
        sink.close();
    }

    private void open(Map<String, Object> configuration) throws Exception {
        connector.open(new ConnectorContext("sync-1", "run-1", SyncMode.UPSERT, configuration, secrets::open));
    }

    private static List<DeliveryRow> rows() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("email", "ada@example.com");
        fields.put("ltv", new BigDecimal("123.40"));
        return List.of(new DeliveryRow(Operation.ADDED, "1", fields), new DeliveryRow(Operation.REMOVED, "2", Map.of()));
    }

    @Test
    void aTokenSealedInTheUrlIsSentAsTheUserGaveIt() throws Exception {
        String sealed = dev.eddy.contracts.secrets.UrlSecrets.seal(sink.url() + "?team=growth&token=abc123", secrets::seal);
        assertFalse(sealed.contains("abc123"), sealed);
        open(Map.of("url", sealed));
        connector.write(rows());
        assertEquals("/hook?team=growth&token=abc123", sink.requests().get(0).path());
    }

    @Test
    void decimalsAreWrittenPlainNullsKeptAndNestedFieldsWrittenAsObjects() throws Exception {
        open(Map.of("url", sink.url()));
        Map<String, Object> address = new LinkedHashMap<>();
        address.put("city", "Zürich");
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("ltv", new BigDecimal("1E+3"));
        fields.put("plan", null);
        fields.put("address", address);

        connector.write(List.of(new DeliveryRow(Operation.CHANGED, "7", fields)));

        assertEquals("{\"syncId\":\"sync-1\",\"runId\":\"run-1\",\"batch\":[{\"op\":\"changed\",\"primaryKey\":\"7\","
                + "\"row\":{\"ltv\":1000,\"plan\":null,\"address\":{\"city\":\"Zürich\"}}}]}", sink.requests().get(0).body());
    }

    @Test
    void validateReportsEveryProblemAtOnce() {
        List<ConfigProblem> problems = connector.validate(Map.of("url", "ftp://example.com",
                "headers", Map.of("Host", "x", "X-Count", 3)));

        assertEquals(Set.of("url", "headers.Host", "headers.X-Count"),
                problems.stream().map(ConfigProblem::field).collect(Collectors.toSet()));
        assertFalse(connector.validate(Map.of()).isEmpty());
        assertTrue(connector.validate(Map.of("url", sink.url())).isEmpty());
    }

    @Test
    void postsTheDocumentedBodyWithOpenedSecretHeaders() throws Exception {
        open(Map.of("url", sink.url(), "headers", Map.of("Authorization", secrets.seal("Bearer s3cret"), "X-Team", "growth")));

        List<WriteOutcome> outcomes = connector.write(rows());

        assertEquals(List.of(WriteOutcome.accepted(), WriteOutcome.accepted()), outcomes);
        RecordingHttpSink.Request request = sink.requests().get(0);
        assertEquals("POST", request.method());
        assertEquals("application/json", header(request, "Content-Type"));
        assertEquals("Bearer s3cret", header(request, "Authorization"));
        assertEquals("growth", header(request, "X-Team"));
        JsonNode expected = new ObjectMapper().readTree("""
                {"syncId": "sync-1", "runId": "run-1", "batch": [
                  {"op": "added", "primaryKey": "1", "row": {"email": "ada@example.com", "ltv": 123.40}},
                  {"op": "removed", "primaryKey": "2", "row": {}}]}""");
        assertEquals(expected, new ObjectMapper().readTree(request.body()));
        assertTrue(request.body().contains("123.40"));
    }

    @Test
    void aSigningSecretSignsTheRawBodyWithHmacSha256() throws Exception {
        open(Map.of("url", sink.url(), "signingSecret", secrets.seal("whsec_test")));

        assertEquals(List.of(WriteOutcome.accepted(), WriteOutcome.accepted()), connector.write(rows()));

        RecordingHttpSink.Request request = sink.requests().get(0);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec("whsec_test".getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "sha256=" + java.util.HexFormat.of().formatHex(
                mac.doFinal(request.body().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(expected, request.header("X-Eddy-Signature"));
    }

    @Test
    void aClientErrorRejectsEveryRowWithTheStatusAndBody() throws Exception {
        sink.respondWith(r -> new RecordingHttpSink.Response(422, "{\"error\": \"email is invalid\"}", Map.of()));
        open(Map.of("url", sink.url()));

        List<WriteOutcome> outcomes = connector.write(rows());

        assertEquals(2, outcomes.size());
        for (WriteOutcome outcome : outcomes) {
            assertEquals(WriteOutcome.Status.REJECTED, outcome.status());
            assertTrue(outcome.reason().startsWith("HTTP 422: "), outcome.reason());
            assertTrue(outcome.reason().contains("email is invalid"), outcome.reason());
        }
    }

    @Test
    void tooManyRequestsIsRetriableAndCarriesRetryAfter() throws Exception {
        sink.respondWith(r -> new RecordingHttpSink.Response(429, "slow down", Map.of("Retry-After", "7")));
        open(Map.of("url", sink.url()));

        RetriableDeliveryException e = assertThrows(RetriableDeliveryException.class, () -> connector.write(rows()));

        assertFalse(e.destinationUnreachable());
        assertEquals(Duration.ofSeconds(7), e.retryAfter().orElseThrow());
        assertTrue(e.getMessage().startsWith("HTTP 429"));
    }

    @Test
    void aServerErrorIsRetriableAndARetryAfterDateIsRelativeToTheClock() throws Exception {
        sink.respondWith(r -> new RecordingHttpSink.Response(503, "", Map.of("Retry-After", "Mon, 23 Nov 2026 10:00:30 GMT")));
        open(Map.of("url", sink.url()));

        RetriableDeliveryException e = assertThrows(RetriableDeliveryException.class, () -> connector.write(rows()));

        assertFalse(e.destinationUnreachable());
        assertEquals(Duration.ofSeconds(30), e.retryAfter().orElseThrow());
    }

    @Test
    void aClosedPortIsRetriableAndUnreachable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        open(Map.of("url", "http://127.0.0.1:" + port + "/hook"));

        RetriableDeliveryException e = assertThrows(RetriableDeliveryException.class, () -> connector.write(rows()));

        assertTrue(e.destinationUnreachable());
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
    }
}
