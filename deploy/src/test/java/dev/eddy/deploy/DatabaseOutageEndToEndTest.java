package dev.eddy.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eddy.testsupport.FaultProxy;
import dev.eddy.testsupport.RecordingHttpSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.eddy.deploy.CdcSemanticsDriver.assertCounts;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, end to end on the launched suite: Eddy's PostgreSQL (its own database and the demo warehouse, one
 * server as in {@code ./eddy local}) refuses every connection for a while in the middle of a run, behind a proxy
 * that drops the open connections and closes its port. The run waits the outage out and ends {@code success} with
 * exact counts; no live row is sent as removed, and the next run has nothing to do.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DatabaseOutageEndToEndTest {

    private static final int ROWS = 20_000;

    @TempDir
    static Path home;

    private static FaultProxy database;
    private static CdcSemanticsDriver driver;
    private static String syncId;
    private static final RequestHold hold = new RequestHold();

    @BeforeAll
    static void startSuite() throws Exception {
        LaunchedSuite ports = new LaunchedSuite(home.resolve("ports"), "unused");
        database = FaultProxy.start(0, ports.postgresPort());
        driver = new CdcSemanticsDriver(home, Map.of(
                "EDDY_PG_PORT", String.valueOf(ports.postgresPort()),
                "EDDY_SERVICES_PG_PORT", String.valueOf(database.port())));
        driver.warehousePort = database.port();
        driver.sink.respondWith(request -> {
            hold.onRequest();
            return RecordingHttpSink.Response.ok();
        });
        driver.sql("DROP TABLE IF EXISTS outage_people",
                "CREATE TABLE outage_people (id int PRIMARY KEY, name text, score int)",
                "INSERT INTO outage_people SELECT i, 'person ' || i, i FROM generate_series(1, " + ROWS + ") i");
        // pg_sleep in FROM runs once per query: the extraction holds its connection for 3 s before the first row
        syncId = driver.createSync("outage", "SELECT p.id, p.name, p.score FROM outage_people p, pg_sleep(3)",
                Map.of("mode", "upsert", "deleteBehavior", "delete", "batchSize", 500,
                        "mappings", List.of(Map.of("from", "name", "to", "name", "type", "standard"),
                                Map.of("from", "score", "to", "score", "type", "standard"))));
        JsonNode first = driver.triggerAndAwait(syncId);
        assertEquals("success", first.get("status").asText(), first.toString());
        assertCounts(first.get("plannedRows"), ROWS, 0, 0);
    }

    @AfterAll
    static void stopSuite() throws Exception {
        hold.release();
        if (driver != null) {
            driver.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    @Order(1)
    void refusingConnectionsFor30sDuringDeliveryEndsTheRunWithExactCounts() throws Exception {
        driver.sql("UPDATE outage_people SET score = score + 1");
        driver.sink.clear();
        hold.holdRequest(10);
        String runId = driver.api.post("/api/v1/syncs/" + syncId + "/trigger", Map.of()).body().get("id").asText();
        assertTrue(hold.awaitHeld(120), "the run reached the destination");
        database.refuse();
        hold.release();
        outageOf(Duration.ofSeconds(30));
        database.accept();

        JsonNode run = driver.awaitTerminal(syncId, runId, Duration.ofSeconds(300));
        assertEquals("success", run.get("status").asText(), run.toString());
        assertCounts(run.get("plannedRows"), 0, ROWS, 0);
        assertCounts(run.get("successfulRows"), 0, ROWS, 0);
        assertCounts(run.get("failedRows"), 0, 0, 0);
        Map<String, List<String>> received = driver.receivedOps();
        assertEquals(allKeys(), new TreeSet<>(received.get("changed")), "every changed row reached the destination");
        assertTrue(!received.containsKey("removed"), "no live row was sent as removed");
        assertNothingLeft();
    }

    @Test
    @Order(2)
    void refusingConnectionsFor120sDuringExtractionAndDiffEndsTheRunWithExactCounts() throws Exception {
        driver.sql("UPDATE outage_people SET name = name || '!' WHERE id % 100 = 0",
                "DELETE FROM outage_people WHERE id > " + (ROWS - 50));
        driver.sink.clear();
        String runId = driver.api.post("/api/v1/syncs/" + syncId + "/trigger", Map.of()).body().get("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> driver.runStatuses(runId).contains("extractor-service:querying"));
        database.refuse();
        outageOf(Duration.ofSeconds(120));
        database.accept();

        JsonNode run = driver.awaitTerminal(syncId, runId, Duration.ofSeconds(300));
        assertEquals("success", run.get("status").asText(), run.toString());
        int changed = (ROWS - 50) / 100;
        assertCounts(run.get("plannedRows"), 0, changed, 50);
        assertCounts(run.get("successfulRows"), 0, changed, 50);
        Map<String, List<String>> received = driver.receivedOps();
        Set<String> removed = new TreeSet<>(received.getOrDefault("removed", List.of()));
        assertEquals(IntStream.rangeClosed(ROWS - 49, ROWS).mapToObj(Integer::toString).collect(Collectors.toCollection(TreeSet::new)),
                removed, "exactly the deleted rows were sent as removed");
        assertNothingLeft();
    }

    /** Keeps the database refusing for {@code length}, checking it stays down. */
    private static void outageOf(Duration length) {
        long until = System.nanoTime() + length.toNanos();
        await().atMost(length.plusSeconds(10)).pollInterval(Duration.ofSeconds(1))
                .until(() -> database.refusing() && System.nanoTime() >= until);
    }

    private static void assertNothingLeft() {
        driver.sink.clear();
        JsonNode next = driver.triggerAndAwait(syncId);
        assertEquals("success", next.get("status").asText(), next.toString());
        assertCounts(next.get("plannedRows"), 0, 0, 0);
    }

    private static Set<String> allKeys() {
        return IntStream.rangeClosed(1, ROWS).mapToObj(Integer::toString).collect(Collectors.toCollection(TreeSet::new));
    }
}
