package dev.eddy.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.kafka.RecordLimits;
import dev.eddy.testsupport.RecordingHttpSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static dev.eddy.deploy.CdcSemanticsDriver.assertCounts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4's change-data-capture semantics that cross the extractor, the diff and delivery, end to end on
 * the launched suite (real broker, real PostgreSQL, the packaged services): what counts as a change
 * (item 2), rejected and failed rows (item 4) and a new mapped column (item 10). Items 1, 3 and 5-8 are
 * proven in diff-service's {@code DiffServiceTest} and extractor-service's {@code RunRequestHandlerTest}. Also
 * issue 12's wide rows on a broker limited to 1 MB records.
 */
class CdcSemanticsEndToEndTest {

    @TempDir
    static Path home;

    private static CdcSemanticsDriver driver;

    @BeforeAll
    static void startSuite() throws Exception {
        driver = new CdcSemanticsDriver(home);
    }

    @AfterAll
    static void stopSuite() throws Exception {
        if (driver != null) {
            driver.close();
        }
    }

    private static Map<String, Object> syncConfiguration(String... mappedColumns) {
        return Map.of("mode", "upsert", "deleteBehavior", "delete", "batchSize", 1,
                "mappings", java.util.Arrays.stream(mappedColumns)
                        .map(c -> Map.of("from", c, "to", c, "type", "standard")).toList());
    }

    private static Set<String> keys(List<String> keys) {
        return keys == null ? Set.of() : new TreeSet<>(keys);
    }

    @Test
    void unmappedColumnsAndColumnOrderAreNotChangesAndANewMappedColumnChangesEveryRowOnce() throws Exception {
        driver.sql("DROP TABLE IF EXISTS cdc_people",
                "CREATE TABLE cdc_people (id int PRIMARY KEY, email text, name text, plan text, notes text, score numeric(10,2))",
                "INSERT INTO cdc_people SELECT i, 'p' || i || '@x.io', 'Person ' || i, 'free', 'note', i * 1.5 FROM generate_series(1, 6) i");
        String syncId = driver.createSync("people", "SELECT id, email, name, plan, notes, score FROM cdc_people",
                syncConfiguration("email", "name", "score"));
        JsonNode first = driver.triggerAndAwait(syncId);
        assertEquals("success", first.get("status").asText(), first.toString());
        assertCounts(first.get("plannedRows"), 6, 0, 0);

        // item 2: an unmapped column's change is not a change
        driver.sink.clear();
        driver.sql("UPDATE cdc_people SET notes = 'edited', plan = 'pro' WHERE id <= 3");
        JsonNode unmapped = driver.triggerAndAwait(syncId);
        assertEquals("success", unmapped.get("status").asText(), unmapped.toString());
        assertCounts(unmapped.get("plannedRows"), 0, 0, 0);
        assertTrue(driver.sink.requests().isEmpty(), "nothing is sent for an unmapped column's change");

        // item 2: reordering the SELECT, or reading the same numbers at another scale, is not a change
        RunEvent reordered = driver.triggerAfterEditing(syncId, spec -> ((ObjectNode) spec.get("model"))
                .put("sql", "SELECT score::numeric(12,4) AS score, notes, plan, name, email, id FROM cdc_people"));
        assertEquals(RunStatus.success, reordered.getStatus(), reordered.toString());
        assertCounts(reordered.getPlannedRows(), 0, 0, 0);
        assertTrue(driver.sink.requests().isEmpty(), "nothing is sent for a reordered SELECT");

        // a mapped column's change is one (the control of the two checks above)
        driver.sql("UPDATE cdc_people SET name = 'Renamed' WHERE id = 4");
        JsonNode mapped = driver.triggerAndAwait(syncId);
        assertCounts(mapped.get("plannedRows"), 0, 1, 0);
        assertEquals(Set.of("4"), keys(driver.receivedOps().get("changed")));

        // item 10: a new mapped column makes every row changed, once
        driver.sink.clear();
        RunEvent widened = driver.triggerAfterEditing(syncId, CdcSemanticsEndToEndTest::alsoMapPlan);
        assertEquals(RunStatus.success, widened.getStatus(), widened.toString());
        assertCounts(widened.getPlannedRows(), 0, 6, 0);
        assertCounts(widened.getSuccessfulRows(), 0, 6, 0);
        assertEquals(Set.of("1", "2", "3", "4", "5", "6"), keys(driver.receivedOps().get("changed")));
        assertTrue(driver.receivedItems().stream().allMatch(item -> item.get("row").has("plan")),
                "the new column is sent");
        driver.sink.clear();
        RunEvent again = driver.triggerAfterEditing(syncId, CdcSemanticsEndToEndTest::alsoMapPlan);
        assertCounts(again.getPlannedRows(), 0, 0, 0);
        assertTrue(driver.sink.requests().isEmpty(), "the new column changes every row once only");
    }

    /**
     * Issue 12 item 6: on a broker with Kafka's default 1 MB {@code message.max.bytes} (the embedded broker keeps it),
     * 100,000 rows of 40 text columns (about 1.2 KB of JSON a row, 117 MB in all) sync through the real services: every
     * row batch and change batch is closed by the byte bound (5,000 and 1,000 rows would be 6 MB and 1.2 MB), none is
     * refused, nothing is dead-lettered and the run ends {@code success} with exact counts.
     */
    @Test
    void aHundredThousandWideRowsSyncOnABrokerLimitedToOneMegabyteRecords() {
        int rows = 100_000;
        StringBuilder columns = new StringBuilder();
        StringBuilder values = new StringBuilder();
        for (int c = 1; c <= 40; c++) {
            String name = String.format("c%02d", c);
            columns.append(", ").append(name).append(" text");
            values.append(", lpad(i::text, 20, '").append(name).append("-')"); // 20 characters, distinct per row
        }
        driver.sql("DROP TABLE IF EXISTS wide_rows",
                "CREATE TABLE wide_rows (id int PRIMARY KEY" + columns + ")",
                "INSERT INTO wide_rows SELECT i" + values + " FROM generate_series(1, " + rows + ") i");
        // two mapped columns keep the webhook bodies small; the row and change batches carry every column
        String syncId = driver.createSync("wide", "SELECT * FROM wide_rows",
                Map.of("mode", "upsert", "deleteBehavior", "delete", "mappings", List.of(
                        Map.of("from", "c01", "to", "c01", "type", "standard"),
                        Map.of("from", "c40", "to", "c40", "type", "standard"))));
        driver.sink.clear();
        EddyApi.Reply trigger = driver.api.post("/api/v1/syncs/" + syncId + "/trigger", Map.of());
        assertEquals(200, trigger.status(), trigger.raw());
        JsonNode run = driver.awaitTerminal(syncId, trigger.body().get("id").asText(), Duration.ofSeconds(300));

        assertEquals("success", run.get("status").asText(), run.toString());
        assertEquals(rows, run.get("querySize").asInt(), run.toString());
        assertCounts(run.get("plannedRows"), rows, 0, 0);
        assertCounts(run.get("successfulRows"), rows, 0, 0);
        assertCounts(run.get("failedRows"), 0, 0, 0);
        List<String> received = driver.receivedOps().get("added");
        assertEquals(rows, new HashSet<>(received).size(), "every row reached the destination");

        Map<String, List<Integer>> sizes = driver.recordSizes(
                List.of(Topics.ROWS, Topics.CHANGES,
                        Topics.DEAD_LETTER), syncId);
        int bound = RecordLimits.DEFAULT_MAX_RECORD_BYTES;
        for (String topic : List.of(Topics.ROWS, Topics.CHANGES)) {
            List<Integer> topicSizes = sizes.get(topic);
            int largest = topicSizes.stream().mapToInt(Integer::intValue).max().orElse(0);
            assertTrue(largest <= bound, topic + ": a record of " + largest + " bytes is over the bound");
            assertTrue(largest > bound * 9L / 10, topic + ": batches are filled up to the bound, the largest is " + largest);
            // 117 MB in records under 900 KiB: at least 127 of them, more than the row counts alone would cut
            assertTrue(topicSizes.size() > 127, topic + ": " + topicSizes.size() + " records");
        }
        assertEquals(List.of(), sizes.get(Topics.DEAD_LETTER), "nothing was dead-lettered");
    }

    private static void alsoMapPlan(ObjectNode spec) {
        ArrayNode mappings = (ArrayNode) spec.get("configuration").get("mappings");
        mappings.addObject().put("from", "plan").put("to", "plan").put("type", "standard");
    }

    @Test
    void rejectedAndFailedRowsCountAsFailedAndOnlyThemArePlannedAgainUntilAccepted() {
        driver.sql("DROP TABLE IF EXISTS cdc_orders",
                "CREATE TABLE cdc_orders (id int PRIMARY KEY, status text, total numeric)",
                "INSERT INTO cdc_orders SELECT i, 'open', i * 10 FROM generate_series(1, 10) i");
        String syncId = driver.createSync("orders", "SELECT id, status, total FROM cdc_orders",
                syncConfiguration("status", "total"));
        // the destination refuses rows 3 and 7 (422) and keeps failing on row 9 (503, retried, then given up)
        driver.sink.respondWith(request -> {
            String body = request.body();
            if (body.contains("\"primaryKey\":\"3\"") || body.contains("\"primaryKey\":\"7\"")) {
                return RecordingHttpSink.Response.status(422);
            }
            return body.contains("\"primaryKey\":\"9\"") ? RecordingHttpSink.Response.status(503)
                    : RecordingHttpSink.Response.ok();
        });
        try {
            JsonNode first = driver.triggerAndAwait(syncId);
            assertEquals("warning", first.get("status").asText(), first.toString());
            assertCounts(first.get("plannedRows"), 10, 0, 0);
            assertCounts(first.get("successfulRows"), 7, 0, 0);
            assertCounts(first.get("failedRows"), 3, 0, 0);

            // nothing changed in the warehouse: only the refused rows are planned again, still refused
            driver.sink.clear();
            JsonNode second = driver.triggerAndAwait(syncId);
            assertEquals("warning", second.get("status").asText(), second.toString());
            assertCounts(second.get("plannedRows"), 3, 0, 0);
            assertCounts(second.get("failedRows"), 3, 0, 0);
            assertEquals(Set.of("3", "7", "9"), keys(driver.receivedOps().get("added")));
        } finally {
            driver.sink.respondWith(request -> RecordingHttpSink.Response.ok());
        }

        // the destination accepts again: the refused rows and a real change, and nothing else
        driver.sink.clear();
        driver.sql("UPDATE cdc_orders SET status = 'shipped' WHERE id IN (3, 5)");
        JsonNode third = driver.triggerAndAwait(syncId);
        assertEquals("success", third.get("status").asText(), third.toString());
        assertCounts(third.get("plannedRows"), 3, 1, 0);
        assertCounts(third.get("successfulRows"), 3, 1, 0);
        assertCounts(third.get("failedRows"), 0, 0, 0);
        assertEquals(Set.of("3", "7", "9"), keys(driver.receivedOps().get("added")));
        assertEquals(Set.of("5"), keys(driver.receivedOps().get("changed")));

        driver.sink.clear();
        JsonNode fourth = driver.triggerAndAwait(syncId);
        assertCounts(fourth.get("plannedRows"), 0, 0, 0);
        assertTrue(driver.sink.requests().isEmpty(), "accepted rows are never sent again");
    }
}
