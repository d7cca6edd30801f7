package dev.eddy.delivery.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.destination.SyncMode;
import dev.eddy.contracts.destination.SyncType;
import dev.eddy.delivery.connector.HttpTransport;
import dev.eddy.delivery.connector.http.HttpRequestConnector;
import dev.eddy.delivery.connector.postgres.PostgresConnector;
import dev.eddy.delivery.retry.RetryPolicy;
import dev.eddy.delivery.spi.ConnectorContext;
import dev.eddy.delivery.spi.DeliveryRow;
import dev.eddy.delivery.spi.DeliveryRow.Operation;
import dev.eddy.delivery.spi.DeliverySettings;
import dev.eddy.delivery.spi.RequestThrottle;
import dev.eddy.testsupport.RecordingHttpSink;
import dev.eddy.testsupport.SharedInfrastructure;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Split retries when only part of a write is refused: a batched http write sends one request per event kind and
 * postgres runs one statement per kind, so one kind's refusal must still be bisected to land its good rows. Against a
 * real local HTTP server and the embedded PostgreSQL; a rejection is never retried with backoff, so nothing waits.
 */
class SplitRetriesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<Integer> BAD = Set.of(13, 77);

    private final RetryPolicy policy = new RetryPolicy(
            new RetryPolicy.Settings(3, Duration.ofMinutes(1), Duration.ofMillis(100), Duration.ofSeconds(1)),
            Clock.systemUTC(), d -> {
                throw new AssertionError("a rejection must not be retried with backoff (asked to wait " + d + ")");
            }, () -> 0.5);
    private final BatchDelivery delivery = new BatchDelivery(policy);

    @Test
    void aBatchedHttpWriteWithTwoBadRowsAmongAHundredMixedRowsDeliversTheOther98() throws Exception {
        try (RecordingHttpSink sink = new RecordingHttpSink();
             HttpRequestConnector connector = new HttpRequestConnector(HttpTransport.of(HttpClient.newHttpClient()),
                     Duration.ofSeconds(5), Clock.systemUTC())) {
            // the destination refuses a whole request when any of its rows is bad
            sink.respondWith(r -> BAD.stream().anyMatch(k -> r.body().contains("\"user" + k + "@"))
                    ? new RecordingHttpSink.Response(422, "{\"error\": \"invalid email in request\"}", Map.of())
                    : RecordingHttpSink.Response.ok());
            String base = "http://127.0.0.1:" + sink.port();
            connector.open(new ConnectorContext("sync-1", "run-1", SyncMode.UPSERT, Map.of("batched", true,
                    "added", Map.of("method", "POST", "url", base + "/users", "body", "{\"id\": {{ row.id }}, \"email\": {{ row.email | json }}}"),
                    "changed", Map.of("method", "PUT", "url", base + "/users", "body", "{\"id\": {{ row.id }}, \"email\": {{ row.email | json }}}")),
                    v -> v, settings("do_nothing")));
            // odd keys added, even keys changed: both bad rows are added rows, so the changed request is accepted
            List<DeliveryRow> rows = new ArrayList<>();
            for (int k = 1; k <= 100; k++) {
                rows.add(new DeliveryRow(k % 2 == 1 ? Operation.ADDED : Operation.CHANGED, String.valueOf(k),
                        Map.of("id", k, "email", "user" + k + "@example.com")));
            }

            BatchDelivery.SliceOutcome outcome = delivery.deliver(connector, rows, policy);

            assertOnlyTheBadRowsRejected(outcome.outcomes(), "HTTP 422");
            assertTrue(outcome.fatalError().isEmpty());
            // every good row reached the destination in an accepted request, exactly once
            List<Integer> landed = new ArrayList<>();
            for (RecordingHttpSink.Request request : sink.requests()) {
                if (BAD.stream().noneMatch(k -> request.body().contains("\"user" + k + "@"))) {
                    for (JsonNode row : JSON.readTree(request.body())) {
                        landed.add(row.get("id").asInt());
                    }
                }
            }
            assertEquals(98, landed.size());
            assertEquals(98, new TreeSet<>(landed).size());
        }
    }

    @Test
    void aPostgresWriteWhoseWriteStatementBreaksAConstraintOnTwoRowsLandsTheOther98() throws Exception {
        String url = SharedInfrastructure.postgres().jdbcUrl("warehouse");
        String schema = "split_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        sql(url, "CREATE SCHEMA " + schema + "; CREATE TABLE " + schema + ".customers (id integer PRIMARY KEY, "
                + "email text NOT NULL CHECK (email LIKE '%@%'))");
        try (PostgresConnector connector = new PostgresConnector()) {
            // keys 91-100 are in the table and leave the model; 1-90 are written, 13 and 77 with an email the table refuses
            sql(url, "INSERT INTO " + schema + ".customers SELECT k, 'old' || k || '@x.io' FROM generate_series(41, 100) k");
            connector.open(new ConnectorContext("sync-2", "run-2", SyncMode.UPSERT, Map.of("jdbcUrl", url, "user", "postgres",
                    "schema", schema, "table", "customers"), v -> v, settings("delete")));
            List<DeliveryRow> rows = new ArrayList<>();
            for (int k = 1; k <= 100; k++) {
                if (k > 90) {
                    rows.add(new DeliveryRow(Operation.REMOVED, String.valueOf(k), Map.of()));
                    continue;
                }
                Map<String, Object> fields = new HashMap<>();
                fields.put("id", k);
                fields.put("email", BAD.contains(k) ? "not-an-email" : "user" + k + "@x.io");
                rows.add(new DeliveryRow(k <= 40 ? Operation.ADDED : Operation.CHANGED, String.valueOf(k), fields));
            }

            BatchDelivery.SliceOutcome outcome = delivery.deliver(connector, rows, policy);

            assertOnlyTheBadRowsRejected(outcome.outcomes(), "PostgreSQL 23514");
            List<String> table = new ArrayList<>();
            try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id, email FROM " + schema + ".customers ORDER BY id")) {
                while (rs.next()) {
                    table.add(rs.getInt(1) + "|" + rs.getString(2));
                }
            }
            List<String> expected = new ArrayList<>();
            for (int k = 1; k <= 90; k++) {
                if (k == 77) {
                    expected.add("77|old77@x.io");
                } else if (k != 13) {
                    expected.add(k + "|user" + k + "@x.io");
                }
            }
            assertEquals(expected, table, "88 rows written, 10 deleted, the 2 bad ones left as they were");
        } finally {
            sql(url, "DROP SCHEMA " + schema + " CASCADE");
        }
    }

    private static void assertOnlyTheBadRowsRejected(List<FinalOutcome> outcomes, String reason) {
        assertEquals(100, outcomes.size());
        for (int i = 0; i < 100; i++) {
            int key = i + 1;
            FinalOutcome outcome = outcomes.get(i);
            if (BAD.contains(key)) {
                assertEquals(OutcomeStatus.REJECTED, outcome.status(), "row " + key);
                assertTrue(outcome.reason().contains(reason), outcome.reason());
            } else {
                assertEquals(OutcomeStatus.ACCEPTED, outcome.status(), "row " + key + ": " + outcome.reason());
            }
        }
    }

    private static DeliverySettings settings(String deleteBehavior) {
        return new DeliverySettings(SyncType.OBJECT, deleteBehavior,
                Optional.of(new DeliverySettings.ExternalId("id", "id", null)), List.of("id", "email"), "customers", 1,
                RequestThrottle.unlimited(), "id");
    }

    private static void sql(String url, String statements) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            s.execute(statements);
        }
    }
}
