package dev.eddy.delivery.service;

import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.destination.SyncMode;
import dev.eddy.delivery.connector.HttpTransport;
import dev.eddy.delivery.connector.webhook.WebhookConnector;
import dev.eddy.delivery.retry.RetryPolicy;
import dev.eddy.delivery.spi.ConnectorContext;
import dev.eddy.delivery.spi.DeliveryRow;
import dev.eddy.testsupport.RecordingHttpSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The failure paths of a write, end to end through the runtime's retry loop and the webhook connector against a
 * real local HTTP server. Waiting goes through a sleeper that only advances a test clock, so nothing sleeps.
 */
class FailureHandlingTest {

    /** A clock the sleeper moves. */
    private static final class TestClock extends Clock {
        private volatile Instant now = Instant.parse("2026-11-23T10:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final RecordingHttpSink sink = new RecordingHttpSink();
    private final TestClock clock = new TestClock();
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private final RetryPolicy policy = new RetryPolicy(
            new RetryPolicy.Settings(5, Duration.ofMinutes(5), Duration.ofMillis(100), Duration.ofSeconds(2)),
            clock, d -> {
                waits.add(d);
                clock.now = clock.now.plus(d);
            }, () -> 0.5);
    private final BatchDelivery delivery = new BatchDelivery(policy);
    private final WebhookConnector connector = new WebhookConnector(HttpTransport.of(
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()), Duration.ofMillis(400), clock);

    @AfterEach
    void close() {
        connector.close();
        sink.close();
    }

    private void open() throws Exception {
        connector.open(new ConnectorContext("sync-1", "run-1", SyncMode.UPSERT, Map.of("url", sink.url()), v -> v));
    }

    private static List<DeliveryRow> rows(int n) {
        List<DeliveryRow> rows = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            rows.add(new DeliveryRow(DeliveryRow.Operation.CHANGED, String.valueOf(i), Map.of("email", "user" + i + "@example.com")));
        }
        return rows;
    }

    @Test
    void tooManyRequestsWaitsForRetryAfterThenDelivers() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        sink.respondWith(r -> calls.incrementAndGet() == 1
                ? new RecordingHttpSink.Response(429, "{\"error\":\"slow down\"}", Map.of("Retry-After", "7"))
                : RecordingHttpSink.Response.ok());
        open();

        BatchDelivery.SliceOutcome outcome = delivery.deliver(connector, rows(3));

        assertTrue(outcome.outcomes().stream().allMatch(o -> o.status() == OutcomeStatus.ACCEPTED), outcome.toString());
        assertEquals(2, sink.requests().size());
        assertEquals(List.of(Duration.ofSeconds(7)), waits, "the backoff (50-100 ms) is lengthened to Retry-After");
    }

    @Test
    void aServerErrorThenSuccessDeliversOnTheRetry() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        sink.respondWith(r -> calls.incrementAndGet() == 1 ? RecordingHttpSink.Response.status(500) : RecordingHttpSink.Response.ok());
        open();

        BatchDelivery.SliceOutcome outcome = delivery.deliver(connector, rows(3));

        assertTrue(outcome.outcomes().stream().allMatch(o -> o.status() == OutcomeStatus.ACCEPTED), outcome.toString());
        assertTrue(outcome.fatalError().isEmpty());
        assertEquals(2, sink.requests().size());
        assertEquals(1, waits.size());
    }

    @Test
    void aTimedOutRequestIsRetriedAndTheRetryLands() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        sink.respondWith(r -> {
            if (calls.incrementAndGet() == 1) {
                try {
                    // hold the first answer well past the connector's 400 ms request timeout
                    release.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return RecordingHttpSink.Response.ok();
        });
        open();
        try {
            BatchDelivery.SliceOutcome outcome = delivery.deliver(connector, rows(2));

            assertTrue(outcome.outcomes().stream().allMatch(o -> o.status() == OutcomeStatus.ACCEPTED), outcome.toString());
            assertEquals(2, calls.get());
            assertEquals(1, waits.size());
        } finally {
            release.countDown();
        }
    }

    @Test
    void twoBadRowsAmongAHundredAreIsolatedBySplitRetriesAndTheOther98Land() throws Exception {
        sink.respondWith(r -> r.body().contains("user13@") || r.body().contains("user77@")
                ? new RecordingHttpSink.Response(400, "{\"error\":\"invalid email in batch\"}", Map.of())
                : RecordingHttpSink.Response.ok());
        open();

        BatchDelivery.SliceOutcome outcome = delivery.deliver(connector, rows(100));

        List<FinalOutcome> outcomes = outcome.outcomes();
        for (int i = 0; i < 100; i++) {
            int key = i + 1;
            if (key == 13 || key == 77) {
                assertEquals(OutcomeStatus.REJECTED, outcomes.get(i).status(), "row " + key);
                assertTrue(outcomes.get(i).reason().contains("HTTP 400") && outcomes.get(i).reason().contains("invalid email"),
                        outcomes.get(i).reason());
            } else {
                assertEquals(OutcomeStatus.ACCEPTED, outcomes.get(i).status(), "row " + key);
            }
        }
        // every good row reached the destination in an accepted request
        long landed = sink.requests().stream().filter(r -> !r.body().contains("user13@") && !r.body().contains("user77@"))
                .mapToLong(r -> r.body().split("\"primaryKey\"").length - 1).sum();
        assertEquals(98, landed);
        assertTrue(waits.isEmpty(), "rejections are not retried with backoff");
    }
}
