package dev.eddy.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eddy.testsupport.RecordingHttpSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 2's walking skeleton, end to end: the packaged services started as {@code ./eddy local} starts
 * them, the README's curl tour (create source, model, destination, sync; trigger; read runs) against a
 * local HTTP sink, CDC across runs, bad input, a restart that keeps everything, and Ctrl-C leaving no
 * process behind. Prints the figures the issue asks for (time to ready, latency p50, memory).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalSuiteEndToEndTest {

    @TempDir
    static Path home;

    private static LaunchedSuite suite;
    private static EddyApi api;
    private static RecordingHttpSink sink;
    private static String syncId;

    @BeforeAll
    static void startSuite() throws Exception {
        suite = new LaunchedSuite(home.resolve("eddy-home"), "e2e-api-key");
        double seconds = suite.start();
        System.out.printf(Locale.ROOT, "[figures] ./eddy local -> ready: %.1f s%n", seconds);
        api = new EddyApi(suite.apiBase(), suite.apiKey);
        sink = new RecordingHttpSink();
        sql("DROP TABLE IF EXISTS e2e_people",
                "CREATE TABLE e2e_people (id int PRIMARY KEY, email text, name text, secret_notes text)",
                "INSERT INTO e2e_people VALUES (1,'a@x.io','Ann','n'),(2,'b@x.io','Bob','n'),(3,'c@x.io','Cid','n'),(4,'d@x.io','Dee','n'),(5,'e@x.io','Eve','n')");
    }

    @AfterAll
    static void stopSuite() throws Exception {
        if (sink != null) {
            sink.close();
        }
        if (suite != null) {
            suite.close();
        }
    }

    @Test
    @Order(1)
    void rejectsAWrongKeyAndUnknownIds() {
        assertEquals(401, api.getWithKey("/api/v1/syncs", "not-the-key").status());
        assertEquals(401, api.getWithKey("/api/v1/syncs", null).status());
        assertEquals(404, api.get("/api/v1/syncs/987654").status());
    }

    @Test
    @Order(2)
    void firstRunSendsEveryRowAsAdded() {
        String sourceId = api.create("/api/v1/sources", Map.of("name", "Demo warehouse", "slug", "demo-warehouse", "type", "postgres",
                "configuration", Map.of("host", "127.0.0.1", "port", suite.postgresPort(), "database", "warehouse",
                        "user", suite.warehouseUser(), "password", suite.warehousePassword()))).get("id").asText();
        String modelId = api.create("/api/v1/models", Map.of("name", "People", "slug", "people", "sourceId", sourceId,
                "queryType", "raw_sql", "raw", Map.of("sql", "SELECT id, email, name, secret_notes FROM e2e_people"),
                "primaryKey", "id")).get("id").asText();
        String destinationId = api.create("/api/v1/destinations", Map.of("name", "Sink", "slug", "sink", "type", "webhook",
                "configuration", Map.of("url", sink.url(), "headers", Map.of("X-Team", "growth")))).get("id").asText();
        syncId = api.create("/api/v1/syncs", Map.of("slug", "people-to-sink", "modelId", modelId, "destinationId", destinationId,
                "disabled", false, "schedule", Map.of("type", "manual"),
                "configuration", Map.of("mode", "upsert", "deleteBehavior", "delete",
                        "mappings", List.of(Map.of("from", "email", "to", "email", "type", "standard"),
                                Map.of("from", "name", "to", "full_name", "type", "standard"))))).get("id").asText();

        JsonNode run = triggerAndAwait(syncId);
        assertEquals("success", run.get("status").asText(), run.toString());
        assertEquals(5, run.get("querySize").asInt());
        assertCounts(run.get("plannedRows"), 5, 0, 0);
        assertCounts(run.get("successfulRows"), 5, 0, 0);
        assertCounts(run.get("failedRows"), 0, 0, 0);
        Map<String, List<String>> ops = receivedOps();
        assertEquals(List.of("1", "2", "3", "4", "5"), sorted(ops.get("added")));
        assertFalse(ops.containsKey("changed") || ops.containsKey("removed"), ops.toString());
        JsonNode body = json(sink.requests().get(0).body());
        assertEquals(syncId, body.get("syncId").asText());
        JsonNode first = body.get("batch").get(0);
        assertTrue(first.get("row").has("email") && first.get("row").has("full_name"), first.toString());
        assertFalse(first.get("row").has("secret_notes"), "unmapped columns are not sent");
        assertEquals("growth", sink.requests().get(0).header("X-Team"));
    }

    @Test
    @Order(3)
    void nextRunSendsExactlyTheWarehouseChanges() {
        sink.clear();
        sql("UPDATE e2e_people SET email = 'ann@x.io' WHERE id = 1",
                "UPDATE e2e_people SET secret_notes = 'unmapped change' WHERE id = 2",
                "DELETE FROM e2e_people WHERE id = 3",
                "INSERT INTO e2e_people VALUES (6,'f@x.io','Fay','n')");
        JsonNode run = triggerAndAwait(syncId);
        assertEquals("success", run.get("status").asText(), run.toString());
        assertCounts(run.get("plannedRows"), 1, 1, 1);
        assertCounts(run.get("successfulRows"), 1, 1, 1);
        Map<String, List<String>> ops = receivedOps();
        assertEquals(List.of("6"), ops.get("added"));
        assertEquals(List.of("1"), ops.get("changed"));
        assertEquals(List.of("3"), ops.get("removed"));
    }

    @Test
    @Order(4)
    void aRunWithNoWarehouseChangeSendsNothing() {
        sink.clear();
        JsonNode run = triggerAndAwait(syncId);
        assertEquals("success", run.get("status").asText(), run.toString());
        assertCounts(run.get("plannedRows"), 0, 0, 0);
        assertTrue(sink.requests().isEmpty(), "nothing is sent when nothing changed");
    }

    @Test
    @Order(5)
    void aModelWhoseSqlFailsEndsFailedWithTheWarehouseMessage() {
        JsonNode sync = api.get("/api/v1/syncs/" + syncId).body();
        String sourceId = api.get("/api/v1/models/" + sync.get("modelId").asText()).body().get("sourceId").asText();
        String modelId = api.create("/api/v1/models", Map.of("name", "Broken", "slug", "broken", "sourceId", sourceId,
                "queryType", "raw_sql", "raw", Map.of("sql", "SELECT id FROM no_such_table"), "primaryKey", "id")).get("id").asText();
        String brokenSync = api.create("/api/v1/syncs", Map.of("slug", "broken-sync", "modelId", modelId,
                "destinationId", sync.get("destinationId").asText(), "disabled", false, "schedule", Map.of("type", "manual"),
                "configuration", Map.of("mode", "upsert", "deleteBehavior", "delete",
                        "mappings", List.of(Map.of("from", "id", "to", "id", "type", "standard"))))).get("id").asText();
        JsonNode run = triggerAndAwait(brokenSync);
        assertEquals("failed", run.get("status").asText());
        assertTrue(run.get("error").asText().contains("no_such_table"), run.get("error").asText());
    }

    @Test
    @Order(5)
    void aModelOnTheDemoWarehouseCannotRunProgramsWriteOrReachEddysDatabase() throws Exception {
        JsonNode sync = api.get("/api/v1/syncs/" + syncId).body();
        String sourceId = api.get("/api/v1/models/" + sync.get("modelId").asText()).body().get("sourceId").asText();
        Path touched = home.resolve("copy-to-program-ran");
        JsonNode copy = runModel(sourceId, sync, "copy-to-program",
                "COPY (SELECT 1 AS id) TO PROGRAM 'touch " + touched + "'");
        assertEquals("failed", copy.get("status").asText(), copy.toString());
        assertTrue(copy.get("error").asText().contains("permission denied"), copy.get("error").asText());
        assertFalse(Files.exists(touched), "the program did not run");

        JsonNode create = runModel(sourceId, sync, "create-table", "CREATE TABLE e2e_written AS SELECT 1 AS id");
        assertEquals("failed", create.get("status").asText(), create.toString());
        assertTrue(create.get("error").asText().contains("read-only transaction"), create.get("error").asText());

        String eddyDatabase = "jdbc:postgresql://127.0.0.1:" + suite.postgresPort() + "/eddy";
        SQLException refused = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(eddyDatabase, suite.warehouseUser(), suite.warehousePassword()).close());
        assertTrue(refused.getMessage().contains("permission denied for database"), refused.getMessage());
        SQLException noPassword = assertThrows(SQLException.class, () -> DriverManager.getConnection(eddyDatabase, "postgres", "").close());
        assertTrue(noPassword.getMessage().contains("password"), "the superuser needs its password too: " + noPassword.getMessage());
    }

    private static JsonNode runModel(String sourceId, JsonNode sync, String slug, String sql) {
        String modelId = api.create("/api/v1/models", Map.of("name", slug, "slug", slug, "sourceId", sourceId,
                "queryType", "raw_sql", "raw", Map.of("sql", sql), "primaryKey", "id")).get("id").asText();
        String attack = api.create("/api/v1/syncs", Map.of("slug", slug + "-sync", "modelId", modelId,
                "destinationId", sync.get("destinationId").asText(), "disabled", false, "schedule", Map.of("type", "manual"),
                "configuration", Map.of("mode", "upsert", "deleteBehavior", "delete",
                        "mappings", List.of(Map.of("from", "id", "to", "id", "type", "standard"))))).get("id").asText();
        return triggerAndAwait(attack);
    }

    @Test
    @Order(6)
    void anUnreachableDestinationFailsTheRunAndTheNextRunSendsTheRowsAgain() throws Exception {
        int port;
        try (RecordingHttpSink flaky = new RecordingHttpSink()) {
            port = flaky.port();
        }
        JsonNode sync = api.get("/api/v1/syncs/" + syncId).body();
        String destinationId = api.create("/api/v1/destinations", Map.of("name", "Flaky", "slug", "flaky", "type", "webhook",
                "configuration", Map.of("url", "http://127.0.0.1:" + port + "/hook"))).get("id").asText();
        String flakySync = api.create("/api/v1/syncs", Map.of("slug", "people-to-flaky", "modelId", sync.get("modelId").asText(),
                "destinationId", destinationId, "disabled", false, "schedule", Map.of("type", "manual"),
                "configuration", Map.of("mode", "upsert", "deleteBehavior", "delete",
                        "mappings", List.of(Map.of("from", "email", "to", "email", "type", "standard"))))).get("id").asText();
        JsonNode failed = triggerAndAwait(flakySync);
        assertEquals("failed", failed.get("status").asText(), failed.toString());
        assertNotNull(failed.get("error").asText());

        try (RecordingHttpSink back = new RecordingHttpSink(port)) {
            JsonNode run = triggerAndAwait(flakySync);
            assertEquals("success", run.get("status").asText(), run.toString());
            assertCounts(run.get("plannedRows"), 5, 0, 0);
            int rows = 0;
            for (RecordingHttpSink.Request request : back.requests()) {
                rows += json(request.body()).get("batch").size();
            }
            assertEquals(5, rows, "every row is sent again after the failed run");
        }
    }

    @Test
    @Order(7)
    void sequencesRunTheirSyncsInOrderAndStopOrGoOnAsTheirPoliciesSay() throws Exception {
        int port;
        try (RecordingHttpSink closed = new RecordingHttpSink()) {
            port = closed.port();
        }
        JsonNode sync = api.get("/api/v1/syncs/" + syncId).body();
        String nowhere = api.create("/api/v1/destinations", Map.of("name", "Nowhere", "slug", "nowhere", "type", "webhook",
                "configuration", Map.of("url", "http://127.0.0.1:" + port + "/hook"))).get("id").asText();
        String failing = api.create("/api/v1/syncs", Map.of("slug", "people-to-nowhere", "modelId", sync.get("modelId").asText(),
                "destinationId", nowhere, "schedule", Map.of("type", "manual"),
                "configuration", Map.of("mode", "upsert", "mappings", List.of(Map.of("from", "email", "to", "email", "type", "standard")))))
                .get("id").asText();

        String strict = api.create("/api/v1/sync-sequences", Map.of("name", "Strict", "slug", "strict",
                "steps", List.of(Map.of("syncId", syncId), Map.of("syncId", failing), Map.of("syncId", syncId)))).get("id").asText();
        JsonNode stopped = awaitSequenceRun(api.post("/api/v1/sync-sequences/" + strict + "/trigger", Map.of()).body().get("id").asText());
        assertEquals("failed", stopped.get("status").asText(), stopped.toString());
        JsonNode steps = stopped.get("syncRuns");
        assertEquals("success", steps.get(0).get("status").asText(), stopped.toString());
        assertEquals("failed", steps.get(1).get("status").asText(), stopped.toString());
        assertEquals("skipped", steps.get(2).get("status").asText(), stopped.toString());
        assertTrue(stopped.get("error").asText().startsWith("step 2 (sync " + failing + ") ended failed"), stopped.toString());
        JsonNode failedRun = api.get("/api/v1/syncs/" + failing + "/runs?runId=" + steps.get(1).get("syncRunId").asText())
                .body().get("data").get(0);
        assertEquals("failed", failedRun.get("status").asText(), "the step's status is its sync run's");

        String lenient = api.create("/api/v1/sync-sequences", Map.of("name", "Lenient", "slug", "lenient",
                "steps", List.of(Map.of("syncId", failing, "failurePolicy", "never"), Map.of("syncId", syncId)))).get("id").asText();
        JsonNode done = awaitSequenceRun(api.post("/api/v1/sync-sequences/" + lenient + "/trigger", Map.of()).body().get("id").asText());
        assertEquals("done", done.get("status").asText(), done.toString());
        assertEquals("failed", done.get("syncRuns").get(0).get("status").asText(), done.toString());
        assertEquals("success", done.get("syncRuns").get(1).get("status").asText(), done.toString());
        Instant firstEnded = Instant.parse(done.get("syncRuns").get(0).get("finishedAt").asText());
        JsonNode second = api.get("/api/v1/syncs/" + syncId + "/runs?runId=" + done.get("syncRuns").get(1).get("syncRunId").asText())
                .body().get("data").get(0);
        assertFalse(Instant.parse(second.get("createdAt").asText()).isBefore(firstEnded.minusMillis(1)),
                "the second step was triggered after the first ended: " + done + " " + second);
    }

    @Test
    @Order(8)
    void measuresTriggerToDestinationLatencyAndMemory() throws Exception {
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sink.clear();
            sql("UPDATE e2e_people SET name = 'Ann " + i + "' WHERE id = 1");
            Instant triggered = Instant.now();
            String runId = api.post("/api/v1/syncs/" + syncId + "/trigger", Map.of()).body().get("id").asText();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> !sink.requests().isEmpty());
            millis.add(Duration.between(triggered, sink.requests().get(0).receivedAt()).toMillis());
            awaitTerminal(syncId, runId);
        }
        Collections.sort(millis);
        long rssKb = 0;
        for (ProcessHandle process : suite.processes()) {
            Path status = Path.of("/proc", String.valueOf(process.pid()), "status");
            if (Files.exists(status)) {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmRSS:")) {
                        rssKb += Long.parseLong(line.replaceAll("\\D", ""));
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "[figures] trigger -> destination latency of a 1-row change over 10 runs: p50 %d ms, min %d ms, max %d ms%n",
                millis.get(4), millis.get(0), millis.get(9));
        System.out.printf(Locale.ROOT, "[figures] resident memory of the running suite (launcher with the broker, PostgreSQL, 5 services): %d MiB in %d processes%n",
                rssKb / 1024, suite.processes().size());
        assertEquals(10, millis.size());
    }

    @Test
    @Order(9)
    void ctrlCStopsEverythingAndARestartKeepsSyncsRunsAndSnapshots() throws Exception {
        int runsBefore = api.get("/api/v1/syncs/" + syncId + "/runs?limit=100").body().get("data").size();
        List<ProcessHandle> processes = suite.stop();
        assertTrue(processes.size() >= 7, "launcher, postgres and five services: " + processes.size());
        for (ProcessHandle process : processes) {
            assertFalse(process.isAlive(), "still running after stop: " + process.pid() + " " + process.info().commandLine().orElse(""));
        }
        assertEquals(List.of(), suite.processesNamingHome(), "no process of the suite is left behind");

        double seconds = suite.start();
        System.out.printf(Locale.ROOT, "[figures] restart -> ready: %.1f s%n", seconds);
        assertEquals("people-to-sink", api.get("/api/v1/syncs/" + syncId).body().get("slug").asText());
        assertEquals(runsBefore, api.get("/api/v1/syncs/" + syncId + "/runs?limit=100").body().get("data").size());
        sink.clear();
        JsonNode run = triggerAndAwait(syncId);
        assertEquals("success", run.get("status").asText(), run.toString());
        assertCounts(run.get("plannedRows"), 0, 0, 0);
        assertTrue(sink.requests().isEmpty(), "the snapshot survived the restart");
    }

    private static JsonNode triggerAndAwait(String sync) {
        EddyApi.Reply trigger = api.post("/api/v1/syncs/" + sync + "/trigger", Map.of());
        assertEquals(200, trigger.status(), trigger.raw());
        String runId = trigger.body().get("id").asText();
        JsonNode listed = api.get("/api/v1/syncs/" + sync + "/runs?runId=" + runId).body().get("data");
        assertEquals(1, listed.size(), "the run is listed from the instant the trigger answers");
        return awaitTerminal(sync, runId);
    }

    private static JsonNode awaitSequenceRun(String runId) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = api.get("/api/v1/sync-sequences/runs/" + runId).body();
            return List.of("done", "failed", "cancelled").contains(last[0].get("status").asText());
        });
        return last[0];
    }

    private static JsonNode awaitTerminal(String sync, String runId) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonNode data = api.get("/api/v1/syncs/" + sync + "/runs?runId=" + runId).body().get("data");
            last[0] = data.get(0);
            String status = last[0].get("status").asText();
            return List.of("success", "warning", "failed", "cancelled", "interrupted").contains(status);
        });
        return last[0];
    }

    private static Map<String, List<String>> receivedOps() {
        Map<String, List<String>> ops = new HashMap<>();
        for (RecordingHttpSink.Request request : sink.requests()) {
            for (JsonNode item : json(request.body()).get("batch")) {
                ops.computeIfAbsent(item.get("op").asText(), k -> new ArrayList<>()).add(item.get("primaryKey").asText());
            }
        }
        return ops;
    }

    private static void assertCounts(JsonNode counts, int added, int changed, int removed) {
        assertEquals(added, counts.get("addedCount").asInt(), counts.toString());
        assertEquals(changed, counts.get("changedCount").asInt(), counts.toString());
        assertEquals(removed, counts.get("removedCount").asInt(), counts.toString());
    }

    private static List<String> sorted(List<String> values) {
        List<String> copy = new ArrayList<>(values);
        copy.sort((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
        return copy;
    }

    private static JsonNode json(String text) {
        try {
            return EddyApi.JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static void sql(String... statements) {
        try (Connection c = suite.warehouse();
             Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new AssertionError("warehouse SQL failed: " + e.getMessage(), e);
        }
    }
}
