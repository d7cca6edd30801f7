package dev.eddy.extractor.synclogs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.RunIds;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.Change;
import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.extractor.messaging.TopicRecorder;
import dev.eddy.testsupport.EddyInfrastructureResource;
import dev.eddy.testsupport.EmbeddedMariaDb;
import dev.eddy.testsupport.SharedInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.restassured.RestAssured.given;
import static dev.eddy.extractor.synclogs.SuiteEvents.change;
import static dev.eddy.extractor.synclogs.SuiteEvents.counts;
import static dev.eddy.extractor.synclogs.SuiteEvents.outcome;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Warehouse sync logs written by the extractor into the database {@code eddy_audit} of a real MariaDB 11.4 server
 * (MySQL protocol, MySQL Connector/J): the same behaviour as {@link SyncLogsWarehouseTest} for PostgreSQL.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class SyncLogsMySqlTest {

    private static SuiteEvents suite;
    private static TopicRecorder runEvents;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @BeforeEach
    void startClients() {
        if (suite == null) {
            suite = new SuiteEvents(bootstrapServers, "sync-logs-mysql-test");
            runEvents = new TopicRecorder(bootstrapServers, List.of(Topics.RUN_EVENTS));
        }
    }

    @AfterAll
    static void stopClients() throws InterruptedException {
        if (suite != null) {
            suite.close();
            runEvents.close();
            suite = null;
        }
    }

    @Test
    void changelogHasOneRowPerPlannedChangeWithItsOutcomeAndFields() throws Exception {
        SyncSpec spec = spec(EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD, true, false, false);
        String run = RunIds.next();
        suite.changes(spec, run, 0, change(ChangeOp.ADDED, "1", "{\"id\":1,\"email\":\"ann@x.io\"}"),
                change(ChangeOp.ADDED, "2", "{\"id\":2,\"email\":\"bob@x.io\"}"));
        suite.changes(spec, run, 1, change(ChangeOp.CHANGED, "3", "{\"id\":3,\"email\":\"not-an-email\"}"),
                change(ChangeOp.REMOVED, "4", null));
        suite.results(spec, run, 0, outcome("1", ChangeOp.ADDED, OutcomeStatus.ACCEPTED, null), outcome("2", ChangeOp.ADDED, OutcomeStatus.ACCEPTED, null));
        suite.results(spec, run, 1, outcome("3", ChangeOp.CHANGED, OutcomeStatus.REJECTED, "422: email is invalid"),
                outcome("4", ChangeOp.REMOVED, OutcomeStatus.ACCEPTED, null));
        suite.deliveryEnd(spec, run, null);
        Instant finished = suite.terminal(spec, run, RunStatus.warning, counts(2, 1, 1), counts(2, 0, 1), counts(0, 1, 0), null);

        List<Map<String, String>> rows = awaitRows("SELECT row_id, op_type, status, failure_reason, "
                + "JSON_VALUE(fields, '$.email') AS email, fields, sync_run_id, created_at FROM eddy_audit.sync_changelog "
                + "WHERE sync_id = '" + spec.syncId() + "' ORDER BY row_id", 4);
        assertEquals(List.of("1", "2", "3", "4"), rows.stream().map(r -> r.get("row_id")).toList());
        assertEquals(List.of("added", "added", "changed", "removed"), rows.stream().map(r -> r.get("op_type")).toList());
        assertEquals(List.of("succeeded", "succeeded", "failed", "succeeded"), rows.stream().map(r -> r.get("status")).toList());
        assertEquals("422: email is invalid", rows.get(2).get("failure_reason"));
        assertEquals("ann@x.io", rows.get(0).get("email"), "fields is JSON the warehouse can query");
        assertNull(rows.get(3).get("fields"), "a removal has no fields");
        assertTrue(rows.stream().allMatch(r -> run.equals(r.get("sync_run_id"))));
        Instant createdAt = Instant.parse(rows.get(0).get("created_at").replace(' ', 'T') + "Z");
        assertFalse(createdAt.isBefore(finished.minusSeconds(1)), "created_at is the UTC instant the logs were written: " + createdAt);
        assertEquals(List.of(), query("SELECT row_id FROM eddy_audit.sync_snapshot WHERE sync_id = '" + spec.syncId() + "'"),
                "only the tables the sync opted in to are written");
        assertEquals(List.of(), query("SELECT sync_run_id FROM eddy_audit.sync_runs WHERE sync_id = '" + spec.syncId() + "'"));
    }

    @Test
    void snapshotKeepsOneRowPerPrimaryKeyWithItsLatestState() throws Exception {
        SyncSpec spec = spec(EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD, false, true, false);
        String first = RunIds.next();
        // keys that differ only in case or in a trailing space are different keys
        suite.changes(spec, first, 0, change(ChangeOp.ADDED, "a", "{\"id\":\"a\",\"plan\":\"free\"}"),
                change(ChangeOp.ADDED, "A", "{\"id\":\"A\",\"plan\":\"pro\"}"), change(ChangeOp.ADDED, "a ", "{\"id\":\"a \",\"plan\":\"pro\"}"));
        suite.results(spec, first, 0, outcome("a", ChangeOp.ADDED, OutcomeStatus.ACCEPTED, null),
                outcome("A", ChangeOp.ADDED, OutcomeStatus.ACCEPTED, null), outcome("a ", ChangeOp.ADDED, OutcomeStatus.ACCEPTED, null));
        suite.deliveryEnd(spec, first, null);
        suite.terminal(spec, first, RunStatus.success, counts(3, 0, 0), counts(3, 0, 0), counts(0, 0, 0), null);
        awaitRows("SELECT row_id FROM eddy_audit.sync_snapshot WHERE sync_id = '" + spec.syncId() + "'", 3);

        String second = RunIds.next();
        suite.changes(spec, second, 0, change(ChangeOp.CHANGED, "a", "{\"id\":\"a\",\"plan\":\"enterprise\"}"),
                change(ChangeOp.REMOVED, "A", null), change(ChangeOp.CHANGED, "a ", "{\"id\":\"a \",\"plan\":\"broken\"}"));
        suite.results(spec, second, 0, outcome("a", ChangeOp.CHANGED, OutcomeStatus.ACCEPTED, null),
                outcome("A", ChangeOp.REMOVED, OutcomeStatus.ACCEPTED, null),
                outcome("a ", ChangeOp.CHANGED, OutcomeStatus.REJECTED, "400: plan unknown"));
        suite.deliveryEnd(spec, second, null);
        suite.terminal(spec, second, RunStatus.warning, counts(0, 2, 1), counts(0, 1, 1), counts(0, 1, 0), null);

        List<Map<String, String>> rows = awaitRows("SELECT row_id, sync_run_id, op_type, status, failure_reason, "
                + "JSON_VALUE(fields, '$.plan') AS plan FROM eddy_audit.sync_snapshot WHERE sync_id = '" + spec.syncId()
                + "' AND sync_run_id = '" + second + "' ORDER BY row_id", 3);
        assertEquals(3, count("SELECT count(*) FROM eddy_audit.sync_snapshot WHERE sync_id = '" + spec.syncId() + "'"), "one row per key");
        Map<String, Map<String, String>> byKey = new LinkedHashMap<>();
        rows.forEach(r -> byKey.put(r.get("row_id"), r));
        assertEquals("enterprise", byKey.get("a").get("plan"));
        assertEquals("changed", byKey.get("a").get("op_type"));
        assertEquals("removed", byKey.get("A").get("op_type"));
        assertEquals("succeeded", byKey.get("A").get("status"));
        assertEquals("failed", byKey.get("a ").get("status"));
        assertEquals("400: plan unknown", byKey.get("a ").get("failure_reason"));
        assertEquals("pro", byKey.get("a ").get("plan"), "a rejected change keeps the last delivered fields");
    }

    @Test
    void syncRunsHasOneRowPerRunWithHightouchsCountsEvenWithoutChanges() throws Exception {
        SyncSpec spec = spec(EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD, false, false, true);
        String delivered = RunIds.next();
        suite.changes(spec, delivered, 0, change(ChangeOp.ADDED, "1", "{\"id\":1}"), change(ChangeOp.ADDED, "2", "{\"id\":2}"));
        suite.results(spec, delivered, 0, outcome("1", ChangeOp.ADDED, OutcomeStatus.ACCEPTED, null),
                outcome("2", ChangeOp.ADDED, OutcomeStatus.REJECTED, "nope"));
        suite.deliveryEnd(spec, delivered, null);
        suite.terminal(spec, delivered, RunStatus.warning, counts(2, 0, 0), counts(1, 0, 0), counts(1, 0, 0), null);

        String failed = RunIds.next();
        suite.runRequest(spec, failed);
        suite.terminal(spec, failed, RunStatus.failed, null, null, null, "Table 'warehouse.no_such_table' doesn't exist");

        List<Map<String, String>> rows = awaitRows("SELECT * FROM eddy_audit.sync_runs WHERE sync_id = '" + spec.syncId()
                + "' ORDER BY sync_run_id", 2);
        Map<String, String> first = rows.get(0);
        assertEquals(delivered, first.get("sync_run_id"));
        assertEquals("warning", first.get("status"));
        assertEquals("id", first.get("primary_key"));
        assertEquals("hook", first.get("destination"));
        assertEquals("People", first.get("model_name"));
        assertEquals("2", first.get("num_planned_add"));
        assertEquals("2", first.get("num_attempted_add"));
        assertEquals("1", first.get("num_succeeded_add"));
        assertEquals("1", first.get("num_failed_add"));
        assertEquals("0", first.get("num_planned_change"));
        assertTrue(first.get("started_at") != null && first.get("finished_at") != null);
        Map<String, String> second = rows.get(1);
        assertEquals("failed", second.get("status"));
        assertEquals("Table 'warehouse.no_such_table' doesn't exist", second.get("error"));
        assertEquals("0", second.get("num_planned_add"));
    }

    @Test
    void thousandsOfRowsAreWrittenInMultiRowStatements() throws Exception {
        SyncSpec spec = spec(EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD, true, true, true);
        String run = RunIds.next();
        int rows = 2500;
        List<Change> changes = new ArrayList<>();
        List<RowOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            changes.add(change(ChangeOp.ADDED, Integer.toString(i), "{\"id\":" + i + "}"));
            outcomes.add(outcome(Integer.toString(i), ChangeOp.ADDED, OutcomeStatus.ACCEPTED, null));
        }
        long insertsBefore = globalStatus("Com_insert");
        suite.changes(spec, run, 0, changes.toArray(Change[]::new));
        suite.results(spec, run, 0, outcomes.toArray(RowOutcome[]::new));
        suite.deliveryEnd(spec, run, null);
        suite.terminal(spec, run, RunStatus.success, counts(rows, 0, 0), counts(rows, 0, 0), counts(0, 0, 0), null);

        awaitRows("SELECT sync_run_id FROM eddy_audit.sync_runs WHERE sync_id = '" + spec.syncId() + "'", 1);
        assertEquals(rows, count("SELECT count(*) FROM eddy_audit.sync_changelog WHERE sync_id = '" + spec.syncId() + "'"));
        assertEquals(rows, count("SELECT count(DISTINCT row_id) FROM eddy_audit.sync_snapshot WHERE sync_id = '" + spec.syncId() + "'"));
        long inserts = globalStatus("Com_insert") - insertsBefore;
        // 3 statements of at most 1,000 rows per table, and the run's row: 7, where row by row would be 5,001
        assertEquals(7, inserts, "rows are inserted 1,000 at a time");
    }

    @Test
    void aWarehouseThatRefusesTheWriteMarksTheRunWithAWarningAndTheNextRunIsLogged() throws Exception {
        SyncSpec readOnly = spec(EmbeddedMariaDb.READER, EmbeddedMariaDb.READER_PASSWORD, false, false, true);
        String refused = RunIds.next();
        suite.runRequest(readOnly, refused);
        suite.terminal(readOnly, refused, RunStatus.success, counts(0, 0, 0), counts(0, 0, 0), counts(0, 0, 0), null);

        RunEvent warning = await().atMost(Duration.ofSeconds(30)).until(() -> runEvents.events(RunEvent.class).stream()
                .filter(e -> refused.equals(e.getRunId()) && e.getSyncLogsError() != null).findFirst(), Optional::isPresent).get();
        assertEquals(RunStatus.warning, warning.getStatus(), "a successful run becomes a warning");
        assertFalse(warning.getTerminal(), "the run already had its one terminal event");
        assertTrue(warning.getSyncLogsError().startsWith("sync logs could not be written to eddy_audit: "), warning.getSyncLogsError());
        assertTrue(warning.getSyncLogsError().contains("denied for user '" + EmbeddedMariaDb.READER + "'"), warning.getSyncLogsError());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                .body(containsString("sync " + readOnly.syncId())).body(containsString(refused)));

        // the same sync once its login may write
        SyncSpec writable = new SyncSpec(readOnly.syncId(), readOnly.syncSlug(), readOnly.configVersion() + 1, readOnly.model(),
                new SyncSpec.Connection("s1", "warehouse", "mysql", source(EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD)),
                readOnly.destination(), readOnly.configuration());
        String next = RunIds.next();
        suite.runRequest(writable, next);
        suite.terminal(writable, next, RunStatus.success, counts(0, 0, 0), counts(0, 0, 0), counts(0, 0, 0), null);
        List<Map<String, String>> runs = awaitRows("SELECT sync_run_id, status FROM eddy_audit.sync_runs WHERE sync_id = '"
                + readOnly.syncId() + "'", 1);
        assertEquals(next, runs.get(0).get("sync_run_id"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                .body(not(containsString("sync " + readOnly.syncId()))));
        assertTrue(runEvents.events(RunEvent.class).stream().noneMatch(e -> next.equals(e.getRunId()) && e.getSyncLogsError() != null),
                "a run whose logs were written gets no sync-logs event");
    }

    private static ObjectNode source(String user, String password) {
        return JsonNodeFactory.instance.objectNode().put("host", "127.0.0.1").put("port", mariaDb().port())
                .put("database", "warehouse").put("user", user)
                .put("password", new SecretBox(EddyInfrastructureResource.SECRET_KEY).seal(password));
    }

    private static SyncSpec spec(String user, String password, boolean changelog, boolean snapshot, boolean runs) {
        ObjectNode configuration = JsonNodeFactory.instance.objectNode().put("mode", "upsert");
        configuration.putObject("warehouseSyncLogs").put("changelog", changelog).put("snapshot", snapshot).put("runs", runs);
        String syncId = "mysql-logs-" + RunIds.next();
        return new SyncSpec(syncId, syncId, 1, new SyncSpec.Model("m1", "People", "people", "id", "SELECT 1 AS id"),
                new SyncSpec.Connection("s1", "warehouse", "mysql", source(user, password)),
                new SyncSpec.Connection("d1", "hook", "webhook", JsonNodeFactory.instance.objectNode().put("url", "http://127.0.0.1:1/")),
                configuration);
    }

    private static EmbeddedMariaDb mariaDb() {
        return SharedInfrastructure.mariaDb();
    }









    private List<Map<String, String>> awaitRows(String sql, int expected) {
        List<Map<String, String>> rows = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            rows.clear();
            rows.addAll(query(sql));
            return rows.size() == expected;
        });
        return rows;
    }

    private static List<Map<String, String>> query(String sql) {
        try (Connection c = mariaDb().connect("warehouse"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<Map<String, String>> out = new ArrayList<>();
            while (rs.next()) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
                }
                out.add(row);
            }
            return out;
        } catch (SQLException e) {
            // the database or table may not exist yet while the writer has not run
            return List.of();
        }
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = mariaDb().connect("warehouse"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long globalStatus(String variable) throws SQLException {
        try (Connection c = mariaDb().connect("warehouse"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE '" + variable + "'")) {
            rs.next();
            return rs.getLong(2);
        }
    }
}
