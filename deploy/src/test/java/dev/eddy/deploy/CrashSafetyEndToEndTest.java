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

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.eddy.deploy.CdcSemanticsDriver.assertCounts;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4 item 9, end to end on the launched suite: a service killed with SIGKILL in the middle of a run
 * (while the destination holds one of its requests) is restarted by the launcher's supervisor, and the run
 * still ends with exact counts; every due row reached the destination at least once, and no row that was
 * not delivered is in the snapshot (the follow-up run plans exactly the rows the destination refused).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashSafetyEndToEndTest {

    private static final int ROWS = 300;
    /** The destination refuses these keys (422) until told otherwise. */
    private static final Set<String> REFUSED = Set.of("50", "100", "150", "200", "250", "300");

    @TempDir
    static Path home;

    private static CdcSemanticsDriver driver;
    private static String syncId;
    private static volatile boolean refusing = true;
    private static final RequestHold hold = new RequestHold();

    @BeforeAll
    static void startSuite() throws Exception {
        driver = new CdcSemanticsDriver(home);
        driver.sink.respondWith(request -> {
            hold.onRequest();
            boolean refused = refusing && REFUSED.stream().anyMatch(k -> request.body().contains("\"primaryKey\":\"" + k + "\""));
            return refused ? RecordingHttpSink.Response.status(422) : RecordingHttpSink.Response.ok();
        });
        driver.sql("DROP TABLE IF EXISTS crash_accounts",
                "CREATE TABLE crash_accounts (id int PRIMARY KEY, owner text, balance numeric)",
                "INSERT INTO crash_accounts SELECT i, 'owner ' || i, i * 100 FROM generate_series(1, " + ROWS + ") i");
        syncId = driver.createSync("accounts", "SELECT id, owner, balance FROM crash_accounts",
                Map.of("mode", "upsert", "deleteBehavior", "delete", "batchSize", 1,
                        "mappings", List.of(Map.of("from", "owner", "to", "owner", "type", "standard"),
                                Map.of("from", "balance", "to", "balance", "type", "standard"))));
    }

    @AfterAll
    static void stopSuite() throws Exception {
        hold.release();
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    @Order(1)
    void killingDeliveryMidRunLosesNoRowAndCountsExactly() throws Exception {
        JsonNode run = runKilling("delivery-service");
        assertEquals("warning", run.get("status").asText(), run.toString());
        assertCounts(run.get("plannedRows"), ROWS, 0, 0);
        assertCounts(run.get("successfulRows"), ROWS - REFUSED.size(), 0, 0);
        assertCounts(run.get("failedRows"), REFUSED.size(), 0, 0);
        assertEquals(allKeys(), new TreeSet<>(driver.receivedOps().get("added")), "every due row reached the destination");

        // the snapshot holds only what was delivered: the follow-up run plans exactly the refused rows
        refusing = false;
        driver.sink.clear();
        JsonNode followUp = driver.triggerAndAwait(syncId);
        assertEquals("success", followUp.get("status").asText(), followUp.toString());
        assertCounts(followUp.get("plannedRows"), REFUSED.size(), 0, 0);
        assertEquals(new TreeSet<>(REFUSED), new TreeSet<>(driver.receivedOps().get("added")));
    }

    @Test
    @Order(2)
    void killingTheDiffMidRunLosesNoRowAndCountsExactly() throws Exception {
        refusing = true;
        driver.sql("UPDATE crash_accounts SET balance = balance + 1");
        JsonNode run = runKilling("diff-service");
        assertEquals("warning", run.get("status").asText(), run.toString());
        assertCounts(run.get("plannedRows"), 0, ROWS, 0);
        assertCounts(run.get("successfulRows"), 0, ROWS - REFUSED.size(), 0);
        assertCounts(run.get("failedRows"), 0, REFUSED.size(), 0);
        assertEquals(allKeys(), new TreeSet<>(driver.receivedOps().get("changed")), "every due row reached the destination");

        refusing = false;
        driver.sink.clear();
        JsonNode followUp = driver.triggerAndAwait(syncId);
        assertEquals("success", followUp.get("status").asText(), followUp.toString());
        assertCounts(followUp.get("plannedRows"), 0, REFUSED.size(), 0);
        assertEquals(new TreeSet<>(REFUSED), new TreeSet<>(driver.receivedOps().get("changed")));
        driver.sink.clear();
        assertCounts(driver.triggerAndAwait(syncId).get("plannedRows"), 0, 0, 0);
    }

    /**
     * Triggers a run, holds the destination's answer to its 100th request, kills the service with SIGKILL
     * meanwhile, lets the destination answer, and waits for the run's end (the supervisor restarts the service).
     */
    private static JsonNode runKilling(String module) throws Exception {
        driver.sink.clear();
        hold.holdRequest(100);
        EddyApi.Reply trigger = driver.api.post("/api/v1/syncs/" + syncId + "/trigger", Map.of());
        String runId = trigger.body().get("id").asText();
        assertTrue(hold.awaitHeld(60), "the run reached the destination");
        ProcessHandle victim = service(module);
        victim.destroyForcibly();
        victim.onExit().get(10, TimeUnit.SECONDS);
        hold.release();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            try {
                return service(module).pid() != victim.pid();
            } catch (AssertionError e) {
                return false;
            }
        });
        assertNotEquals(victim.pid(), service(module).pid(), "the supervisor restarted " + module);
        return driver.awaitTerminal(syncId, runId, Duration.ofSeconds(120));
    }

    /** The live JVM of one service: a descendant of the launcher whose command line runs the module's jar. */
    private static ProcessHandle service(String module) {
        List<ProcessHandle> found = driver.suite.processes().stream()
                .flatMap(p -> java.util.stream.Stream.concat(java.util.stream.Stream.of(p), p.descendants()))
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(module + "/target/quarkus-app")).orElse(false))
                .distinct().toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one live " + module + " process, found " + found.size());
        }
        return found.get(0);
    }

    private static Set<String> allKeys() {
        return IntStream.rangeClosed(1, ROWS).mapToObj(Integer::toString).collect(Collectors.toCollection(TreeSet::new));
    }
}
