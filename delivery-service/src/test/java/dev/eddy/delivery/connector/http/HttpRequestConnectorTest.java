package dev.eddy.delivery.connector.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.destination.RateLimit;
import dev.eddy.contracts.destination.SyncMode;
import dev.eddy.contracts.destination.SyncType;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.delivery.connector.HttpTransport;
import dev.eddy.delivery.spi.ConnectorContext;
import dev.eddy.delivery.spi.DeliveryRow;
import dev.eddy.delivery.spi.DeliveryRow.Operation;
import dev.eddy.delivery.spi.DeliverySettings;
import dev.eddy.delivery.spi.RequestThrottle;
import dev.eddy.delivery.spi.RetriableDeliveryException;
import dev.eddy.delivery.spi.WriteOutcome;
import dev.eddy.testsupport.RecordingHttpSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The http connector (Hightouch's HTTP Request destination) against a real local HTTP server. */
class HttpRequestConnectorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final RecordingHttpSink sink = new RecordingHttpSink();
    private final SecretBox secrets = new SecretBox("unit-test-key");
    private final HttpRequestConnector connector = new HttpRequestConnector(
            HttpTransport.of(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()),
            Duration.ofSeconds(3), Clock.systemUTC());
    private final String base = "http://127.0.0.1:" + sink.port();

    @AfterEach
    void close() {
        connector.close();
        sink.close();
    }

    private void open(Map<String, Object> configuration, int concurrency, RequestThrottle throttle) throws Exception {
        DeliverySettings settings = new DeliverySettings(SyncType.OBJECT, "delete", Optional.empty(), List.of(), "users",
                concurrency, throttle);
        connector.open(new ConnectorContext("sync-9", "run-5", SyncMode.UPSERT, configuration, secrets::open, settings));
    }

    private Map<String, Object> perKind() {
        return Map.of(
                "headers", Map.of("Authorization", secrets.seal("Bearer t0ken")),
                "added", Map.of("method", "POST", "url", base + "/users",
                        "body", "{\"email\": {{ row.email | json }}, \"sync\": \"{{ sync.id }}\", \"run\": \"{{ run.id }}\"}"),
                "changed", Map.of("method", "PATCH", "url", base + "/users/{{ row.id }}", "body", "{\"email\": {{ row.email | json }}}"),
                "removed", Map.of("method", "DELETE", "url", base + "/users/{{ primaryKey }}"));
    }

    @Test
    void eachEventKindHasItsOwnMethodUrlAndBodyTemplate() throws Exception {
        open(perKind(), 1, RequestThrottle.unlimited());

        List<WriteOutcome> outcomes = connector.write(List.of(
                new DeliveryRow(Operation.ADDED, "1", Map.of("id", 1, "email", "ada@example.com")),
                new DeliveryRow(Operation.CHANGED, "2", Map.of("id", 2, "email", "grace \"g\"@example.com")),
                new DeliveryRow(Operation.REMOVED, "3", Map.of())));

        assertEquals(List.of(WriteOutcome.accepted(), WriteOutcome.accepted(), WriteOutcome.accepted()), outcomes);
        List<RecordingHttpSink.Request> requests = sink.requests();
        assertEquals(3, requests.size());
        RecordingHttpSink.Request added = requests.stream().filter(r -> r.method().equals("POST")).findFirst().orElseThrow();
        assertEquals("/users", added.path());
        assertEquals(JSON.readTree("{\"email\":\"ada@example.com\",\"sync\":\"sync-9\",\"run\":\"run-5\"}"), JSON.readTree(added.body()));
        assertEquals("Bearer t0ken", added.header("Authorization"));
        RecordingHttpSink.Request changed = requests.stream().filter(r -> r.method().equals("PATCH")).findFirst().orElseThrow();
        assertEquals("/users/2", changed.path());
        assertEquals("grace \"g\"@example.com", JSON.readTree(changed.body()).get("email").asText());
        RecordingHttpSink.Request removed = requests.stream().filter(r -> r.method().equals("DELETE")).findFirst().orElseThrow();
        assertEquals("/users/3", removed.path());
    }

    @Test
    void perRowOutcomesRejectOnlyTheRefusedRowAndABadTemplateRenderRejectsItsRow() throws Exception {
        sink.respondWith(r -> r.body().contains("bad@") ? new RecordingHttpSink.Response(422, "{\"error\":\"bad email\"}", Map.of())
                : RecordingHttpSink.Response.ok());
        open(Map.of("added", Map.of("method", "POST", "url", base + "/e", "body", "{\"email\": {{ row.email | json }}, \"n\": {{ row.n }}}")),
                2, RequestThrottle.unlimited());

        List<WriteOutcome> outcomes = connector.write(List.of(
                new DeliveryRow(Operation.ADDED, "1", Map.of("email", "ok@example.com", "n", 1)),
                new DeliveryRow(Operation.ADDED, "2", Map.of("email", "bad@example.com", "n", 2)),
                new DeliveryRow(Operation.ADDED, "3", Map.of("email", "x@example.com"))));

        assertEquals(WriteOutcome.Status.ACCEPTED, outcomes.get(0).status());
        assertEquals(WriteOutcome.Status.REJECTED, outcomes.get(1).status());
        assertTrue(outcomes.get(1).reason().contains("422"), outcomes.get(1).reason());
        assertEquals(WriteOutcome.Status.REJECTED, outcomes.get(2).status(), "n is missing: the body is not JSON");
        assertTrue(outcomes.get(2).reason().contains("did not render JSON"), outcomes.get(2).reason());
        assertFalse(outcomes.get(1).groupRejection() || outcomes.get(2).groupRejection(), "each row was judged alone");
    }

    @Test
    void batchedModeSendsOneRequestPerEventKindRenderedWithRows() throws Exception {
        open(Map.of("batched", true,
                "added", Map.of("method", "POST", "url", base + "/bulk",
                        "batchBody", "{\"users\": [{% for r in rows %}{{ r.email | json }}{% unless forloop.last %},{% endunless %}{% endfor %}]}"),
                "changed", Map.of("method", "PUT", "url", base + "/bulk", "body", "{\"e\": {{ row.email | json }}}")),
                1, RequestThrottle.unlimited());

        List<WriteOutcome> outcomes = connector.write(List.of(
                new DeliveryRow(Operation.ADDED, "1", Map.of("email", "a@x")),
                new DeliveryRow(Operation.ADDED, "2", Map.of("email", "b@x")),
                new DeliveryRow(Operation.CHANGED, "3", Map.of("email", "c@x")),
                new DeliveryRow(Operation.REMOVED, "4", Map.of())));

        assertEquals(4, outcomes.stream().filter(o -> o.status() == WriteOutcome.Status.ACCEPTED).count(),
                "removed has no request configured: not sent, accepted");
        assertEquals(2, sink.requests().size());
        RecordingHttpSink.Request post = sink.requests().stream().filter(r -> r.method().equals("POST")).findFirst().orElseThrow();
        assertEquals(JSON.readTree("{\"users\":[\"a@x\",\"b@x\"]}"), JSON.readTree(post.body()));
        RecordingHttpSink.Request put = sink.requests().stream().filter(r -> r.method().equals("PUT")).findFirst().orElseThrow();
        assertEquals(JSON.readTree("[{\"e\":\"c@x\"}]"), JSON.readTree(put.body()));
    }

    @Test
    void concurrencyCapsTheRequestsInFlight() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        CountDownLatch twoArrived = new CountDownLatch(2);
        sink.respondWith(r -> {
            int now = inFlight.incrementAndGet();
            peak.accumulateAndGet(now, Math::max);
            twoArrived.countDown();
            try {
                // keep the first requests open long enough for a third to arrive if the cap were broken
                twoArrived.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            return RecordingHttpSink.Response.ok();
        });
        open(Map.of("added", Map.of("method", "POST", "url", base + "/e", "body", "{\"id\": {{ row.id }}}")), 2,
                RequestThrottle.unlimited());

        List<DeliveryRow> rows = java.util.stream.IntStream.range(0, 8)
                .mapToObj(i -> new DeliveryRow(Operation.ADDED, String.valueOf(i), Map.<String, Object>of("id", i))).toList();
        assertTrue(connector.write(rows).stream().allMatch(o -> o.status() == WriteOutcome.Status.ACCEPTED));

        assertEquals(8, sink.requests().size());
        assertEquals(2, peak.get(), "two requests were in flight at once, never more");
    }

    @Test
    void theRateLimitSpacesRequests() throws Exception {
        List<Duration> waits = new CopyOnWriteArrayList<>();
        // a fixed clock: every acquire after the first must wait its turn, 100 ms apart for 10 per second
        Clock fixed = Clock.fixed(java.time.Instant.parse("2026-01-01T00:00:00Z"), java.time.ZoneOffset.UTC);
        RequestThrottle throttle = new RequestThrottle(new RateLimit(10, Duration.ofSeconds(1)), fixed, waits::add);
        open(Map.of("added", Map.of("method", "POST", "url", base + "/e", "body", "{}")), 1, throttle);

        connector.write(java.util.stream.IntStream.range(0, 4)
                .mapToObj(i -> new DeliveryRow(Operation.ADDED, String.valueOf(i), Map.<String, Object>of())).toList());

        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(300)), waits);
        assertEquals(4, sink.requests().size());
    }

    @Test
    void whenEveryRowIsThrottledTheWriteIsRetriedAsAWholeWithRetryAfter() throws Exception {
        sink.respondWith(r -> new RecordingHttpSink.Response(429, "", Map.of("Retry-After", "3")));
        open(Map.of("added", Map.of("method", "POST", "url", base + "/e", "body", "{}")), 1, RequestThrottle.unlimited());

        RetriableDeliveryException e = assertThrows(RetriableDeliveryException.class, () -> connector.write(List.of(
                new DeliveryRow(Operation.ADDED, "1", Map.of()))));

        assertEquals(Optional.of(Duration.ofSeconds(3)), e.retryAfter());
        assertFalse(e.destinationUnreachable());
    }

    @Test
    void validateReportsEveryProblem() {
        var problems = connector.validate(Map.of("added", Map.of("method", "FETCH", "url", "{% if %}"), "batched", "yes"));
        List<String> fields = problems.stream().map(p -> p.field()).sorted(Comparator.naturalOrder()).toList();
        assertEquals(List.of("added.method", "added.url", "batched"), fields);
    }

    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }
}
