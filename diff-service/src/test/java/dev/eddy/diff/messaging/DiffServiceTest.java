package dev.eddy.diff.messaging;

import dev.eddy.contracts.avro.Change;
import dev.eddy.contracts.avro.ChangeBatch;
import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.avro.Counts;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.avro.Row;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.diff.messaging.DiffTestClient.Extraction;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static dev.eddy.diff.messaging.DiffTestClient.row;
import static dev.eddy.diff.messaging.DiffTestClient.spec;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drives the diff service through Kafka only, playing the extractor and the delivery service. */
@QuarkusTest
@WithTestResource(EddyInfrastructureResource.class)
class DiffServiceTest {

    private final DiffTestClient kafka = DiffTestClient.get();

    @jakarta.inject.Inject
    io.agroal.api.AgroalDataSource dataSource;

    private static List<Row> rows(int from, int to, String plan) {
        return java.util.stream.IntStream.rangeClosed(from, to).mapToObj(i -> row(i, plan)).toList();
    }

    private static Set<String> summary(List<ChangeBatch> batches) {
        return DiffTestClient.changes(batches).stream().map(c -> c.getOp() + ":" + c.getPk())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static void assertCounts(long added, long changed, long removed, Counts counts) {
        assertEquals(List.of(added, changed, removed),
                List.of(counts.getAddedCount(), counts.getChangedCount(), counts.getRemovedCount()));
    }

    /** One run whose every sent row is accepted; answers its change set (empty when nothing was sent). */
    private List<ChangeBatch> syncAccepted(Extraction x, List<Row> rows) {
        kafka.extract(x, rows);
        List<ChangeBatch> batches = List.of();
        await().atMost(Duration.ofSeconds(30)).until(() -> !kafka.changeBatches(x.runId()).isEmpty()
                || !kafka.terminals(x.runId()).isEmpty());
        if (kafka.terminals(x.runId()).isEmpty()) {
            batches = kafka.awaitChangeSet(x.runId());
            kafka.deliver(batches, c -> OutcomeStatus.ACCEPTED, null);
        }
        assertEquals(RunStatus.success, kafka.awaitTerminal(x.runId()).getStatus());
        return batches;
    }

    @Test
    void firstRunAddsEveryRowAndTheNextSendsExactlyWhatChanged() {
        String syncId = DiffTestClient.newSyncId();
        SyncSpec spec = spec(syncId, "upsert", "delete", "object");
        Extraction first = Extraction.of(spec);
        List<ChangeBatch> firstSet = syncAccepted(first, rows(1, 5, "free"));
        assertEquals(Set.of("ADDED:1", "ADDED:2", "ADDED:3", "ADDED:4", "ADDED:5"), summary(firstSet));
        RunEvent firstEnd = kafka.awaitTerminal(first.runId());
        assertCounts(5, 0, 0, firstEnd.getPlannedRows());
        assertCounts(5, 0, 0, firstEnd.getSuccessfulRows());
        assertCounts(0, 0, 0, firstEnd.getFailedRows());
        assertEquals(5L, firstEnd.getQuerySize());
        assertEquals(1.0, firstEnd.getCompletionRatio());
        assertTrue(kafka.events(first.runId()).stream().anyMatch(e -> e.getStatus() == RunStatus.processing
                && e.getPlannedRows().getAddedCount() == 5 && e.getQuerySize() == 5L));
        assertEquals(5, DiffTestClient.changes(firstSet).stream().filter(c -> c.getData() != null).count());

        // row 2 changes, row 3 is deleted, row 6 is inserted
        Extraction second = Extraction.of(spec);
        List<Row> now = List.of(row(1, "free"), row(2, "pro"), row(4, "free"), row(5, "free"), row(6, "free"));
        List<ChangeBatch> secondSet = syncAccepted(second, now);
        assertEquals(Set.of("ADDED:6", "CHANGED:2", "REMOVED:3"), summary(secondSet));
        Change removed = DiffTestClient.changes(secondSet).stream().filter(c -> c.getOp() == ChangeOp.REMOVED)
                .findFirst().orElseThrow();
        assertNull(removed.getData());
        RunEvent secondEnd = kafka.awaitTerminal(second.runId());
        assertCounts(1, 1, 1, secondEnd.getPlannedRows());
        assertCounts(1, 1, 1, secondEnd.getSuccessfulRows());
        assertCounts(1, 1, 1, kafka.changeSetEnd(second.runId()).getPlanned());

        // nothing changed since: success at once, zero planned, nothing sent
        Extraction third = Extraction.of(spec);
        assertTrue(syncAccepted(third, now).isEmpty());
        RunEvent thirdEnd = kafka.awaitTerminal(third.runId());
        assertCounts(0, 0, 0, thirdEnd.getPlannedRows());
        assertEquals(5L, thirdEnd.getQuerySize());
        assertTrue(kafka.changeBatches(third.runId()).isEmpty());
    }

    @Test
    void rejectedAndFailedRowsArePlannedAgainNextRunAndOnlyThem() {
        String syncId = DiffTestClient.newSyncId();
        SyncSpec spec = spec(syncId, "upsert", "delete", "object");
        Extraction first = Extraction.of(spec);
        kafka.extract(first, rows(1, 5, "free"));
        List<ChangeBatch> batches = kafka.awaitChangeSet(first.runId());
        kafka.deliver(batches, c -> switch (c.getPk()) {
            case "2" -> OutcomeStatus.REJECTED;
            case "4" -> OutcomeStatus.FAILED;
            default -> OutcomeStatus.ACCEPTED;
        }, null);
        RunEvent end = kafka.awaitTerminal(first.runId());
        assertEquals(RunStatus.warning, end.getStatus());
        assertCounts(3, 0, 0, end.getSuccessfulRows());
        assertCounts(2, 0, 0, end.getFailedRows());

        Extraction second = Extraction.of(spec);
        assertEquals(Set.of("ADDED:2", "ADDED:4"), summary(syncAccepted(second, rows(1, 5, "free"))));
    }

    @Test
    void fatalDeliveryErrorFailsTheRunAndCommitsOnlyAcceptedRows() {
        String syncId = DiffTestClient.newSyncId();
        SyncSpec spec = spec(syncId, "upsert", "delete", "object");
        Extraction first = Extraction.of(spec);
        kafka.extract(first, rows(1, 3, "free"));
        List<ChangeBatch> batches = kafka.awaitChangeSet(first.runId());
        // only the first batch got an answer, then the destination became unreachable
        kafka.publish(kafka.result(batches.get(0), c -> OutcomeStatus.ACCEPTED));
        kafka.publish(kafka.end(first.runId(), syncId, batches.size(), "destination unreachable"));
        RunEvent end = kafka.awaitTerminal(first.runId());
        assertEquals(RunStatus.failed, end.getStatus());
        assertEquals("destination unreachable", end.getError());
        long accepted = batches.get(0).getChanges().size();
        assertCounts(accepted, 0, 0, end.getSuccessfulRows());
        assertCounts(3 - accepted, 0, 0, end.getFailedRows());

        Set<String> notDelivered = DiffTestClient.changes(batches.subList(1, batches.size())).stream()
                .map(c -> "ADDED:" + c.getPk()).collect(Collectors.toSet());
        assertEquals(notDelivered, summary(syncAccepted(Extraction.of(spec), rows(1, 3, "free"))));
    }

    @Test
    void duplicateKeyFailsTheRunSendsNothingAndLeavesTheSnapshotUntouched() {
        String syncId = DiffTestClient.newSyncId();
        SyncSpec spec = spec(syncId, "upsert", "delete", "object");
        syncAccepted(Extraction.of(spec), rows(1, 3, "free"));

        Extraction bad = Extraction.of(spec);
        kafka.extract(bad, List.of(row(1, "pro"), row(2, "free"), row(2, "pro"), row(3, "free"), row(3, "x"),
                row(4, "free")));
        RunEvent end = kafka.awaitTerminal(bad.runId());
        assertEquals(RunStatus.failed, end.getStatus());
        assertEquals("NON_UNIQUE_PRIMARY_KEY", end.getErrorCode());
        assertTrue(end.getError().contains("\"id\""), end.getError());
        assertTrue(end.getError().contains("\"2\"") && end.getError().contains("\"3\""), end.getError());
        assertTrue(kafka.changeBatches(bad.runId()).isEmpty());

        Extraction fixed = Extraction.of(spec);
        assertEquals(Set.of("CHANGED:1", "ADDED:4"),
                summary(syncAccepted(fixed, List.of(row(1, "pro"), row(2, "free"), row(3, "free"), row(4, "free")))));
    }

    @Test
    void extractionErrorFailsTheRunWithTheWarehouseMessageAndSendsNothing() {
        SyncSpec spec = spec(DiffTestClient.newSyncId(), "upsert", "delete", "object");
        Extraction x = Extraction.of(spec);
        kafka.publish(kafka.rowBatch(x, 0, rows(1, 2, "free")));
        kafka.publish(kafka.endBatch(x, 1, 0, "relation \"nope\" does not exist", "QUERY_FAILED"));
        RunEvent end = kafka.awaitTerminal(x.runId());
        assertEquals(RunStatus.failed, end.getStatus());
        assertEquals("relation \"nope\" does not exist", end.getError());
        assertEquals("QUERY_FAILED", end.getErrorCode());
        assertTrue(kafka.changeBatches(x.runId()).isEmpty());
        assertEquals(Set.of("ADDED:1", "ADDED:2"), summary(syncAccepted(Extraction.of(spec), rows(1, 2, "free"))));
    }

    @Test
    void aRowBatchThatNeverArrivedFailsTheRunPlansNoRemovalAndLeavesTheSnapshotUntouched() throws Exception {
        String syncId = DiffTestClient.newSyncId();
        SyncSpec spec = spec(syncId, "upsert", "delete", "object");
        syncAccepted(Extraction.of(spec), rows(1, 6, "free"));

        // batch 1 of 3 (rows 3 and 4) was lost, e.g. dead-lettered: without the check they would be removals
        Extraction gap = Extraction.of(spec).attempt(2);
        kafka.publish(kafka.rowBatch(gap, 0, rows(1, 2, "free")));
        kafka.publish(kafka.rowBatch(gap, 2, rows(5, 6, "pro")));
        kafka.publish(kafka.endBatch(gap, 3, 6, null, null));
        RunEvent end = kafka.awaitTerminal(gap.runId());
        assertEquals(RunStatus.failed, end.getStatus());
        assertEquals("INCOMPLETE_EXTRACTION", end.getErrorCode());
        assertTrue(end.getError().startsWith("batch 1 of 3 of extraction attempt 2 never arrived"), end.getError());
        assertCounts(0, 0, 0, end.getPlannedRows());
        assertTrue(kafka.changeBatches(gap.runId()).isEmpty(), "nothing planned, nothing sent");
        assertEquals(6, snapshotSize(syncId));
        assertEquals(1, kafka.terminals(gap.runId()).size());

        // the next complete run plans exactly against the untouched snapshot
        List<Row> now = List.of(row(1, "free"), row(2, "free"), row(3, "free"), row(5, "pro"), row(6, "free"));
        Extraction next = Extraction.of(spec);
        assertEquals(Set.of("REMOVED:4", "CHANGED:5"), summary(syncAccepted(next, now)));
        assertEquals(5, snapshotSize(syncId));
    }

    private long snapshotSize(String syncId) throws java.sql.SQLException {
        try (java.sql.Connection c = dataSource.getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM diff.snapshot WHERE sync_id = ?")) {
            ps.setString(1, syncId);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void anErrorTextWithNulLoneSurrogatesAndHundredsOfKilobytesEndsTheRunStoredAndBounded() throws Exception {
        String syncId = DiffTestClient.newSyncId();
        SyncSpec spec = spec(syncId, "upsert", "delete", "object");
        Extraction first = Extraction.of(spec);
        kafka.extract(first, rows(1, 2, "free"));
        List<ChangeBatch> batches = kafka.awaitChangeSet(first.runId());
        // as a destination answering bytes: NUL (PostgreSQL refuses it in text), a lone surrogate, 600 KB
        String answer = "HTTP 502: \u0000\uD800 body " + "x".repeat(600_000);
        kafka.deliver(batches, c -> OutcomeStatus.FAILED, answer);
        RunEvent end = kafka.awaitTerminal(first.runId());
        assertEquals(RunStatus.failed, end.getStatus());
        // the Avro encoder already turned the lone surrogate into '?' on its way: the NUL is the diff's to drop
        assertTrue(end.getError().matches("(?s)HTTP 502: [?\uFFFD] body xxx.*"), end.getError().substring(0, 40));
        assertTrue(end.getError().length() <= dev.eddy.contracts.text.SafeText.ERROR_MAX_CHARS, "bounded");
        assertTrue(end.getError().endsWith("(truncated, " + answer.length() + " characters)"));
        try (java.sql.Connection c = dataSource.getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT status, error FROM diff.runs WHERE run_id = ?")) {
            ps.setString(1, first.runId());
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("failed", rs.getString(1));
                assertEquals(end.getError(), rs.getString(2));
            }
        }
    }

    @Test
    void insertModeSendsOnlyNewKeysAndUpdateModeOnlyDeliveredOnes() {
        String syncId = DiffTestClient.newSyncId();
        syncAccepted(Extraction.of(spec(syncId, "upsert", "do_nothing", "object")), rows(1, 3, "free"));

        List<Row> changed = List.of(row(1, "pro"), row(2, "free"), row(3, "free"), row(4, "free"));
        assertEquals(Set.of("ADDED:4"),
                summary(syncAccepted(Extraction.of(spec(syncId, "insert", "do_nothing", "object")), changed)));
        List<Row> again = List.of(row(1, "pro"), row(2, "pro"), row(3, "free"), row(4, "free"), row(5, "free"));
        assertEquals(Set.of("CHANGED:1", "CHANGED:2"),
                summary(syncAccepted(Extraction.of(spec(syncId, "update", "do_nothing", "object")), again)));
    }

    @Test
    void clearFieldsSendsRemovedRowsAsChangesWithMappedFieldsNull() {
        String syncId = DiffTestClient.newSyncId();
        SyncSpec spec = spec(syncId, "upsert", "clear_fields", "object");
        syncAccepted(Extraction.of(spec), rows(1, 3, "free"));

        Extraction second = Extraction.of(spec);
        List<ChangeBatch> set = syncAccepted(second, rows(1, 2, "free"));
        assertEquals(Set.of("CHANGED:3"), summary(set));
        Change cleared = DiffTestClient.changes(set).get(0);
        assertEquals("{\"id\": \"3\", \"plan\": null, \"email\": null}", cleared.getData());
        RunEvent end = kafka.awaitTerminal(second.runId());
        assertCounts(0, 0, 1, end.getPlannedRows());
        assertCounts(0, 0, 1, end.getSuccessfulRows());
        // committed as a removal: not planned again
        assertTrue(syncAccepted(Extraction.of(spec), rows(1, 2, "free")).isEmpty());
    }

    @Test
    void doNothingCountsRemovalsWithoutSendingThem() {
        String syncId = DiffTestClient.newSyncId();
        SyncSpec spec = spec(syncId, "upsert", "do_nothing", "object");
        syncAccepted(Extraction.of(spec), rows(1, 3, "free"));

        Extraction second = Extraction.of(spec);
        assertTrue(syncAccepted(second, rows(1, 2, "free")).isEmpty());
        RunEvent end = kafka.awaitTerminal(second.runId());
        assertCounts(0, 0, 1, end.getPlannedRows());
        assertEquals(1.0, end.getCompletionRatio());

        Extraction third = Extraction.of(spec);
        assertTrue(syncAccepted(third, rows(1, 2, "free")).isEmpty());
        assertCounts(0, 0, 0, kafka.awaitTerminal(third.runId()).getPlannedRows());
    }

    @Test
    void fullResyncAddsEveryCurrentRowAndSendsNoRemovals() {
        String syncId = DiffTestClient.newSyncId();
        SyncSpec spec = spec(syncId, "upsert", "delete", "object");
        syncAccepted(Extraction.of(spec), rows(1, 3, "free"));

        Extraction resync = Extraction.of(spec).withFullResync();
        assertEquals(Set.of("ADDED:1", "ADDED:2"), summary(syncAccepted(resync, rows(1, 2, "free"))));
        RunEvent end = kafka.awaitTerminal(resync.runId());
        assertTrue(end.getFullResync());
        assertTrue(kafka.changeSetEnd(resync.runId()).getFullResync());
        assertCounts(2, 0, 0, end.getPlannedRows());
    }

    @Test
    void resetCdcTakesTheResultAsSnapshotAndSendsNothing() {
        String syncId = DiffTestClient.newSyncId();
        SyncSpec spec = spec(syncId, "upsert", "delete", "object");
        syncAccepted(Extraction.of(spec), rows(1, 2, "free"));

        Extraction reset = Extraction.of(spec).withResetCdc();
        assertTrue(syncAccepted(reset, rows(2, 4, "free")).isEmpty());
        assertCounts(0, 0, 0, kafka.awaitTerminal(reset.runId()).getPlannedRows());

        List<Row> later = List.of(row(2, "free"), row(3, "pro"), row(4, "free"), row(5, "free"));
        assertEquals(Set.of("CHANGED:3", "ADDED:5"), summary(syncAccepted(Extraction.of(spec), later)));
    }

    @Test
    void eventSyncSendsOnlyNeverDeliveredKeys() {
        String syncId = DiffTestClient.newSyncId();
        SyncSpec spec = spec(syncId, "upsert", "delete", "event");
        syncAccepted(Extraction.of(spec), rows(1, 2, "free"));
        List<Row> later = List.of(row(2, "pro"), row(3, "free"));
        assertEquals(Set.of("ADDED:3"), summary(syncAccepted(Extraction.of(spec), later)));
    }

    @Test
    void replayedBatchesChangeNoCountAndTheRunEndsOnce() {
        String syncId = DiffTestClient.newSyncId();
        SyncSpec spec = spec(syncId, "upsert", "delete", "object");
        Extraction x = Extraction.of(spec);
        List<Row> rows = rows(1, 4, "free");
        kafka.publish(kafka.rowBatch(x, 0, rows.subList(0, 2)));
        kafka.publish(kafka.rowBatch(x, 0, rows.subList(0, 2)));
        kafka.publish(kafka.rowBatch(x, 1, rows.subList(2, 4)));
        kafka.publish(kafka.endBatch(x, 2, 4, null, null));
        kafka.publish(kafka.endBatch(x, 2, 4, null, null));
        List<ChangeBatch> batches = kafka.awaitChangeSet(x.runId());
        assertCounts(4, 0, 0, kafka.changeSetEnd(x.runId()).getPlanned());
        kafka.publish(kafka.result(batches.get(0), c -> OutcomeStatus.ACCEPTED));
        kafka.deliver(batches, c -> OutcomeStatus.ACCEPTED, null);
        kafka.publish(kafka.end(x.runId(), syncId, batches.size(), null));
        RunEvent end = kafka.awaitTerminal(x.runId());
        assertEquals(RunStatus.success, end.getStatus());
        assertCounts(4, 0, 0, end.getPlannedRows());
        assertCounts(4, 0, 0, end.getSuccessfulRows());
        assertCounts(0, 0, 0, end.getFailedRows());

        // a later run of the same sync, whose events share the partitions: by its end the replays were handled
        Extraction next = Extraction.of(spec);
        assertEquals(Set.of("ADDED:5"), summary(syncAccepted(next, rows(1, 5, "free"))));
        assertEquals(1, kafka.terminals(x.runId()).size());
        assertEquals(1, kafka.changeBatches(x.runId()).stream()
                .filter(b -> b.getKind() == dev.eddy.contracts.avro.BatchKind.END).count());
    }

    @Test
    void greaterExtractionAttemptDiscardsWhatWasStagedBefore() {
        SyncSpec spec = spec(DiffTestClient.newSyncId(), "upsert", "delete", "object");
        Extraction x = Extraction.of(spec);
        kafka.publish(kafka.rowBatch(x, 0, rows(1, 2, "free")));
        kafka.publish(kafka.rowBatch(x, 1, rows(3, 4, "free")));
        Extraction retry = x.attempt(2);
        assertEquals(Set.of("ADDED:1", "ADDED:2", "ADDED:5"),
                summary(syncAccepted(retry, List.of(row(1, "free"), row(2, "free"), row(5, "free")))));
    }

    @Test
    void aDeliveryResultArrivingBeforeItsChangeSetIsCommittedWaitsAndCountsOnce() {
        // as after a crash of the diff while planning: delivery answered the first attempt's change set,
        // and its results reach the diff before the replayed planning commits
        String syncId = DiffTestClient.newSyncId();
        SyncSpec spec = spec(syncId, "upsert", "delete", "object");
        Extraction x = Extraction.of(spec);
        List<Row> rows = rows(1, 4, "free");
        kafka.publish(kafka.rowBatch(x, 0, rows.subList(0, 2)));
        kafka.publish(kafka.rowBatch(x, 1, rows.subList(2, 4)));
        ChangeBatch firstAttempt = ChangeBatch.newBuilder().setRunId(x.runId()).setSyncId(syncId).setSeq(0)
                .setKind(dev.eddy.contracts.avro.BatchKind.ROWS).setSpecJson(spec.toJson())
                .setChanges(rows.stream().map(r -> Change.newBuilder().setOp(ChangeOp.ADDED).setPk(r.getPk())
                        .setData(r.getData()).build()).toList()).build();
        kafka.publish(kafka.result(firstAttempt, c -> c.getPk().equals("3") ? OutcomeStatus.REJECTED : OutcomeStatus.ACCEPTED));
        kafka.publish(kafka.endBatch(x, 2, 4, null, null));
        List<ChangeBatch> batches = kafka.awaitChangeSet(x.runId());
        assertEquals(Set.of("ADDED:1", "ADDED:2", "ADDED:3", "ADDED:4"), summary(batches));
        // the replayed delivery answers again (now accepting everything): the first answer of a batch counts
        kafka.deliver(batches, c -> OutcomeStatus.ACCEPTED, null);
        RunEvent end = kafka.awaitTerminal(x.runId());
        assertEquals(RunStatus.warning, end.getStatus());
        assertCounts(3, 0, 0, end.getSuccessfulRows());
        assertCounts(1, 0, 0, end.getFailedRows());
        assertEquals(Set.of("ADDED:3"), summary(syncAccepted(Extraction.of(spec), rows)));
    }

    @Test
    void readinessIsUpWhenConsumersJoinedAndDatabaseAnswers() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")));
    }
}
