package dev.eddy.extractor.synclogs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.RunIds;
import dev.eddy.contracts.avro.Change;
import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.extractor.source.DuckDbDialect;
import dev.eddy.testsupport.DuckDbLockHolder;
import dev.eddy.extractor.spi.SourceConfigurationException;
import dev.eddy.extractor.spi.SourceUnreachableException;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.sql.Connection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static dev.eddy.extractor.synclogs.SuiteEvents.change;
import static dev.eddy.extractor.synclogs.SuiteEvents.counts;
import static dev.eddy.extractor.synclogs.SuiteEvents.outcome;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Warehouse sync logs written by the extractor into {@code eddy_audit} of real DuckDB files: the same
 * behaviour as {@link SyncLogsWarehouseTest} for PostgreSQL, plus DuckDB's single-writer lock.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class SyncLogsDuckDbTest {

    private static SuiteEvents suite;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    @Inject
    DuckDbDialect duckdb;
    @TempDir
    Path dir;
    private Path file;

    @BeforeEach
    void startPublisher() {
        if (suite == null) {
            suite = new SuiteEvents(bootstrapServers, "sync-logs-test");
        }
    }

    @AfterAll
    static void stopPublisher() {
        if (suite != null) {
            suite.close();
            suite = null;
        }
    }

    @Test
    void changelogHasOneRowPerPlannedChangeWithItsOutcomeAndFields() throws Exception {
        SyncSpec spec = spec(newWarehouse(), true, false, false);
        String run = RunIds.next();
        suite.changes(spec, run, 0, change(ChangeOp.ADDED, "1", "{\"id\":1,\"email\":\"ann@x.io\"}"),
                change(ChangeOp.ADDED, "2", "{\"id\":2,\"email\":\"bob@x.io\"}"));
        suite.changes(spec, run, 1, change(ChangeOp.CHANGED, "3", "{\"id\":3,\"email\":\"not-an-email\"}"),
                change(ChangeOp.REMOVED, "4", null));
        suite.results(spec, run, 0, outcome("1", ChangeOp.ADDED, OutcomeStatus.ACCEPTED, null), outcome("2", ChangeOp.ADDED, OutcomeStatus.ACCEPTED, null));
        suite.results(spec, run, 1, outcome("3", ChangeOp.CHANGED, OutcomeStatus.REJECTED, "422: email is invalid"),
                outcome("4", ChangeOp.REMOVED, OutcomeStatus.ACCEPTED, null));
        suite.deliveryEnd(spec, run, null);
        suite.terminal(spec, run, RunStatus.warning, counts(2, 1, 1), counts(2, 0, 1), counts(0, 1, 0), null);

        List<Map<String, String>> rows = awaitRows("SELECT row_id, op_type, status, failure_reason, fields->>'email' AS email, "
                + "sync_run_id, created_at FROM eddy_audit.sync_changelog WHERE sync_id = '" + spec.syncId() + "' ORDER BY row_id", 4);
        assertEquals(List.of("1", "2", "3", "4"), rows.stream().map(r -> r.get("row_id")).toList());
        assertEquals(List.of("added", "added", "changed", "removed"), rows.stream().map(r -> r.get("op_type")).toList());
        assertEquals(List.of("succeeded", "succeeded", "failed", "succeeded"), rows.stream().map(r -> r.get("status")).toList());
        assertEquals("422: email is invalid", rows.get(2).get("failure_reason"));
        assertEquals("ann@x.io", rows.get(0).get("email"));
        assertNull(rows.get(3).get("email"), "a removal has no fields");
        assertTrue(rows.stream().allMatch(r -> run.equals(r.get("sync_run_id")) && r.get("created_at") != null));
        assertEquals(List.of(), query("SELECT row_id FROM eddy_audit.sync_snapshot WHERE sync_id = '" + spec.syncId() + "'"),
                "only the tables the sync opted in to are written");
        assertEquals(List.of(), query("SELECT sync_run_id FROM eddy_audit.sync_runs WHERE sync_id = '" + spec.syncId() + "'"));
    }

    @Test
    void snapshotKeepsOneRowPerPrimaryKeyWithItsLatestState() throws Exception {
        SyncSpec spec = spec(newWarehouse(), false, true, false);
        String first = RunIds.next();
        suite.changes(spec, first, 0, change(ChangeOp.ADDED, "1", "{\"id\":1,\"plan\":\"free\"}"),
                change(ChangeOp.ADDED, "2", "{\"id\":2,\"plan\":\"pro\"}"), change(ChangeOp.ADDED, "3", "{\"id\":3,\"plan\":\"pro\"}"));
        suite.results(spec, first, 0, outcome("1", ChangeOp.ADDED, OutcomeStatus.ACCEPTED, null),
                outcome("2", ChangeOp.ADDED, OutcomeStatus.ACCEPTED, null), outcome("3", ChangeOp.ADDED, OutcomeStatus.ACCEPTED, null));
        suite.deliveryEnd(spec, first, null);
        suite.terminal(spec, first, RunStatus.success, counts(3, 0, 0), counts(3, 0, 0), counts(0, 0, 0), null);
        awaitRows("SELECT row_id FROM eddy_audit.sync_snapshot WHERE sync_id = '" + spec.syncId() + "'", 3);

        String second = RunIds.next();
        suite.changes(spec, second, 0, change(ChangeOp.CHANGED, "1", "{\"id\":1,\"plan\":\"enterprise\"}"),
                change(ChangeOp.REMOVED, "2", null), change(ChangeOp.CHANGED, "3", "{\"id\":3,\"plan\":\"broken\"}"));
        suite.results(spec, second, 0, outcome("1", ChangeOp.CHANGED, OutcomeStatus.ACCEPTED, null),
                outcome("2", ChangeOp.REMOVED, OutcomeStatus.ACCEPTED, null),
                outcome("3", ChangeOp.CHANGED, OutcomeStatus.REJECTED, "400: plan unknown"));
        suite.deliveryEnd(spec, second, null);
        suite.terminal(spec, second, RunStatus.warning, counts(0, 2, 1), counts(0, 1, 1), counts(0, 1, 0), null);

        List<Map<String, String>> rows = awaitRows("SELECT row_id, sync_run_id, op_type, status, failure_reason, fields->>'plan' AS plan "
                + "FROM eddy_audit.sync_snapshot WHERE sync_id = '" + spec.syncId() + "' AND sync_run_id = '" + second + "' ORDER BY row_id", 3);
        assertEquals(3, count("SELECT count(*) FROM eddy_audit.sync_snapshot WHERE sync_id = '" + spec.syncId() + "'"), "one row per key");
        assertEquals("enterprise", rows.get(0).get("plan"));
        assertEquals("changed", rows.get(0).get("op_type"));
        assertEquals("removed", rows.get(1).get("op_type"));
        assertEquals("succeeded", rows.get(1).get("status"));
        assertEquals("failed", rows.get(2).get("status"));
        assertEquals("400: plan unknown", rows.get(2).get("failure_reason"));
        assertEquals("pro", rows.get(2).get("plan"), "a rejected change keeps the last delivered fields");
    }

    @Test
    void syncRunsHasOneRowPerRunWithHightouchsCountsEvenWithoutChanges() throws Exception {
        SyncSpec spec = spec(newWarehouse(), false, false, true);
        String delivered = RunIds.next();
        suite.changes(spec, delivered, 0, change(ChangeOp.ADDED, "1", "{\"id\":1}"), change(ChangeOp.ADDED, "2", "{\"id\":2}"));
        suite.results(spec, delivered, 0, outcome("1", ChangeOp.ADDED, OutcomeStatus.ACCEPTED, null),
                outcome("2", ChangeOp.ADDED, OutcomeStatus.REJECTED, "nope"));
        suite.deliveryEnd(spec, delivered, null);
        suite.terminal(spec, delivered, RunStatus.warning, counts(2, 0, 0), counts(1, 0, 0), counts(1, 0, 0), null);

        String failed = RunIds.next();
        suite.runRequest(spec, failed);
        suite.terminal(spec, failed, RunStatus.failed, null, null, null, "relation \"no_such_table\" does not exist");

        List<Map<String, String>> rows = awaitRows("SELECT * FROM eddy_audit.sync_runs WHERE sync_id = '" + spec.syncId() + "' ORDER BY sync_run_id", 2);
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
        assertEquals("relation \"no_such_table\" does not exist", second.get("error"));
        assertEquals("0", second.get("num_planned_add"));
    }

    @Test
    void thousandsOfRowsAreWrittenInBatchesAndTheFileIsReleasedAfterwards() throws Exception {
        SyncSpec spec = spec(newWarehouse(), true, true, true);
        String run = RunIds.next();
        int rows = 2500;
        List<Change> changes = new ArrayList<>();
        List<RowOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            changes.add(change(ChangeOp.ADDED, Integer.toString(i), "{\"id\":" + i + "}"));
            outcomes.add(outcome(Integer.toString(i), ChangeOp.ADDED, OutcomeStatus.ACCEPTED, null));
        }
        suite.changes(spec, run, 0, changes.toArray(Change[]::new));
        suite.results(spec, run, 0, outcomes.toArray(RowOutcome[]::new));
        suite.deliveryEnd(spec, run, null);
        suite.terminal(spec, run, RunStatus.success, counts(rows, 0, 0), counts(rows, 0, 0), counts(0, 0, 0), null);

        awaitRows("SELECT sync_run_id FROM eddy_audit.sync_runs WHERE sync_id = '" + spec.syncId() + "'", 1);
        assertEquals(rows, count("SELECT count(*) FROM eddy_audit.sync_changelog WHERE sync_id = '" + spec.syncId() + "'"));
        assertEquals(rows, count("SELECT count(DISTINCT row_id) FROM eddy_audit.sync_snapshot WHERE sync_id = '" + spec.syncId() + "'"));
        try (DuckDbLockHolder other = DuckDbLockHolder.start(file.toString())) {
            assertEquals("locked", other.status, "the extractor closed the file once the logs were written");
        }
    }

    @Test
    void aFileLockedByAnotherWriterIsTheRunsSyncLogWarningAndTheNextRunIsLogged() throws Exception {
        SyncSpec spec = spec(newWarehouse(), false, false, true);
        String locked = RunIds.next();
        try (DuckDbLockHolder other = DuckDbLockHolder.start(file.toString())) {
            assertEquals("locked", other.status);
            suite.runRequest(spec, locked);
            suite.terminal(spec, locked, RunStatus.success, counts(0, 0, 0), counts(0, 0, 0), counts(0, 0, 0), null);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                    .body(containsString("sync " + spec.syncId())).body(containsString(locked)).body(containsString("is locked")));
        }

        String next = RunIds.next();
        suite.runRequest(spec, next);
        suite.terminal(spec, next, RunStatus.success, counts(0, 0, 0), counts(0, 0, 0), counts(0, 0, 0), null);
        List<Map<String, String>> runs = awaitRows("SELECT sync_run_id, status FROM eddy_audit.sync_runs WHERE sync_id = '"
                + spec.syncId() + "'", 1);
        assertEquals(next, runs.get(0).get("sync_run_id"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/health/ready").then()
                .body(not(containsString("sync " + spec.syncId()))));
    }

    /** A fresh DuckDB file, created here as a data engineer would (Eddy never creates source files). */
    private Path newWarehouse() throws Exception {
        file = Files.createTempFile(dir, "warehouse", ".duckdb");
        Files.delete(file);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE people (id INTEGER)");
        }
        return file;
    }

    private SyncSpec spec(Path warehouse, boolean changelog, boolean snapshot, boolean runs) {
        ObjectNode source = JsonNodeFactory.instance.objectNode().put("path", warehouse.toString());
        ObjectNode configuration = JsonNodeFactory.instance.objectNode().put("mode", "upsert");
        configuration.putObject("warehouseSyncLogs").put("changelog", changelog).put("snapshot", snapshot).put("runs", runs);
        String syncId = "logs-" + RunIds.next();
        return new SyncSpec(syncId, syncId, 1, new SyncSpec.Model("m1", "People", "people", "id", "SELECT 1 AS id"),
                new SyncSpec.Connection("s1", "warehouse", "duckdb", source),
                new SyncSpec.Connection("d1", "hook", "webhook", JsonNodeFactory.instance.objectNode().put("url", "http://127.0.0.1:1/")),
                configuration);
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

    private List<Map<String, String>> query(String sql) {
        try (Connection c = open(); Statement s = c.createStatement()) {
            if (count("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'eddy_audit'", c) == 0) {
                return List.of();
            }
            try (ResultSet rs = s.executeQuery(sql)) {
                List<Map<String, String>> out = new ArrayList<>();
                while (rs.next()) {
                    Map<String, String> row = new LinkedHashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
                    }
                    out.add(row);
                }
                return out;
            }
        } catch (java.sql.SQLException e) {
            // the table may not exist yet while the writer has not run
            return List.of();
        }
    }

    private long count(String sql) throws Exception {
        try (Connection c = open()) {
            return count(sql, c);
        }
    }

    /** Opened as extraction opens it, so reading shares the extractor's DuckDB instance instead of racing its lock. */
    private Connection open() throws java.sql.SQLException {
        try {
            return duckdb.connect(Map.of("path", file.toString()), Duration.ofSeconds(10));
        } catch (SourceConfigurationException | SourceUnreachableException e) {
            throw new java.sql.SQLException(e.getMessage(), e);
        }
    }

    private static long count(String sql, Connection c) throws java.sql.SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
