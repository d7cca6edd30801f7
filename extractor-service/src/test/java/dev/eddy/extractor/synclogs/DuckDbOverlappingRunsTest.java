package dev.eddy.extractor.synclogs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.RunIds;
import dev.eddy.contracts.avro.Change;
import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.extractor.service.ExtractionSummary;
import dev.eddy.extractor.service.ModelExtractor;
import dev.eddy.testsupport.DuckDbLockHolder;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.eddy.extractor.synclogs.SuiteEvents.change;
import static dev.eddy.extractor.synclogs.SuiteEvents.counts;
import static dev.eddy.extractor.synclogs.SuiteEvents.outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Extraction and sync-log writes of overlapping runs on one DuckDB file share the extractor's one instance of it:
 * none of them meets DuckDB's "Unique file handle conflict" or a lock, and the file is released afterwards.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class DuckDbOverlappingRunsTest {

    private static final int ROUNDS = 50;
    private static final int ROWS = 3000;

    @Inject
    ModelExtractor extractor;
    @Inject
    SyncLogWriter writer;
    @TempDir
    Path dir;

    @Test
    void fiftyRoundsOfAnExtractionOverlappingTwoRunsSyncLogWritesHaveNoConflict() throws Exception {
        Path file = dir.resolve("warehouse.duckdb");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE people AS SELECT range AS id, 'p' || range AS email FROM range(" + ROWS + ")");
        }
        SyncSpec first = spec(file, "overlap-a");
        SyncSpec second = spec(file, "overlap-b");
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                CyclicBarrier start = new CyclicBarrier(3);
                RunLog logA = finishedRun(first, RunIds.next(), round);
                RunLog logB = finishedRun(second, RunIds.next(), round);
                List<Future<?>> tasks = new ArrayList<>();
                tasks.add(threads.submit((Callable<ExtractionSummary>) () -> {
                    start.await(60, TimeUnit.SECONDS);
                    return extractor.extract(first, (pk, hash, data) -> { });
                }));
                tasks.add(threads.submit(() -> {
                    start.await(60, TimeUnit.SECONDS);
                    writer.write(logA);
                    return null;
                }));
                tasks.add(threads.submit(() -> {
                    start.await(60, TimeUnit.SECONDS);
                    writer.write(logB);
                    return null;
                }));
                // get() rethrows any task's failure (a conflict, a lock, a timeout) with its cause, failing the round
                assertEquals(ROWS, ((ExtractionSummary) tasks.get(0).get(120, TimeUnit.SECONDS)).querySize(), "round " + round);
                tasks.get(1).get(120, TimeUnit.SECONDS);
                tasks.get(2).get(120, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }

        try (DuckDbLockHolder other = DuckDbLockHolder.start(file.toString())) {
            assertEquals("locked", other.status, "the last connection closed the shared instance, and so the file");
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement s = c.createStatement();
             ResultSet runs = s.executeQuery("SELECT sync_id, count(*) FROM eddy_audit.sync_runs GROUP BY sync_id ORDER BY sync_id")) {
            for (SyncSpec spec : List.of(first, second)) {
                runs.next();
                assertEquals(spec.syncId(), runs.getString(1));
                assertEquals(ROUNDS, runs.getLong(2), "every run of " + spec.syncId() + " was logged");
            }
            try (ResultSet changelog = s.executeQuery("SELECT count(*) FROM eddy_audit.sync_changelog")) {
                changelog.next();
                assertEquals(2L * ROUNDS * 2, changelog.getLong(1), "two changes per run");
            }
        }
    }

    /** A run of {@code spec} with two delivered changes, finished now, as the consumer would have collected it. */
    private static RunLog finishedRun(SyncSpec spec, String runId, int round) {
        RunLog run = new RunLog(spec.syncId(), runId, spec, SyncLogSettings.of(spec.configuration()));
        String a = Integer.toString(2 * round);
        String b = Integer.toString(2 * round + 1);
        run.addChanges(0, List.<Change>of(change(ChangeOp.ADDED, a, "{\"id\":" + a + "}"), change(ChangeOp.ADDED, b, "{\"id\":" + b + "}")));
        run.addOutcomes(0, List.<RowOutcome>of(outcome(a, ChangeOp.ADDED, OutcomeStatus.ACCEPTED, null),
                outcome(b, ChangeOp.ADDED, OutcomeStatus.ACCEPTED, null)));
        run.deliveryEnded(null);
        Instant now = Instant.now();
        run.terminal(RunEvent.newBuilder().setRunId(runId).setSyncId(spec.syncId()).setStatus(RunStatus.success).setTerminal(true)
                .setProducer("test").setAt(now).setStartedAt(now.minusSeconds(1)).setFinishedAt(now)
                .setPlannedRows(counts(2, 0, 0)).setSuccessfulRows(counts(2, 0, 0)).setFailedRows(counts(0, 0, 0)).build());
        return run;
    }

    private static SyncSpec spec(Path warehouse, String syncId) {
        ObjectNode configuration = JsonNodeFactory.instance.objectNode().put("mode", "upsert");
        configuration.putObject("warehouseSyncLogs").put("changelog", true).put("snapshot", true).put("runs", true);
        return new SyncSpec(syncId, syncId, 1, new SyncSpec.Model("m1", "People", "people", "id", "SELECT id, email FROM people"),
                new SyncSpec.Connection("s1", "warehouse", "duckdb", JsonNodeFactory.instance.objectNode().put("path", warehouse.toString())),
                new SyncSpec.Connection("d1", "hook", "webhook", JsonNodeFactory.instance.objectNode().put("url", "http://127.0.0.1:1/")),
                configuration);
    }
}
