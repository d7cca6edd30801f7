package dev.eddy.config.api;

import dev.eddy.config.rejections.RejectionStore;
import dev.eddy.config.service.RunHistory;
import dev.eddy.contracts.RunIds;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.eddy.config.api.Fixtures.api;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A lost queued run never blocks its sync; error texts of any bytes are stored bounded and served. */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class QueuedRunsAndErrorTextsApiTest {

    @Inject
    AgroalDataSource dataSource;

    @Inject
    RunHistory history;

    @Inject
    RejectionStore rejections;

    /** A destination's answer as bytes decoded: NUL (PostgreSQL refuses it in text), lone surrogates, 5 MB. */
    private static final String HOSTILE = "HTTP 500: \u0000\uD800 broken \uDC00 " + "x".repeat(5 * 1024 * 1024);

    @Test
    void aQueuedRunWhoseTriggerWasLostIsEndedFailedAndATriggerMakesANewRun() throws Exception {
        String syncId = Fixtures.newSync();
        // queued two hours ago, its trigger never reached the scheduler: nothing happened on the sync since
        String lost = RunIds.next();
        insertQueued(lost, syncId, Instant.now().minus(Duration.ofHours(2)));

        String runId = api().post("/api/v1/syncs/" + syncId + "/trigger").then().statusCode(200).extract().path("id");
        assertNotEquals(lost, runId);
        String error = api().queryParam("runId", lost).get("/api/v1/syncs/" + syncId + "/runs").then().statusCode(200)
                .body("data[0].status", equalTo("failed"))
                .body("data[0].finishedAt", org.hamcrest.Matchers.notNullValue())
                .extract().path("data[0].error");
        assertTrue(error.startsWith("the run stayed queued for 7") && error.contains("its trigger was lost"), error);
        api().queryParam("runId", runId).get("/api/v1/syncs/" + syncId + "/runs").then()
                .body("data[0].status", equalTo("queued"));

        // the new run is recent: a trigger answers it, as for any run still queued
        api().post("/api/v1/syncs/" + syncId + "/trigger").then().statusCode(200).body("id", equalTo(runId));
    }

    @Test
    void aQueuedRunBehindARunUnderWayOrOnARecentlyActiveSyncIsStillAnswered() throws Exception {
        String syncId = Fixtures.newSync();
        // queued long ago behind a run that is still under way (a long, healthy run): it waits rightly
        String running = RunIds.next();
        insertQueued(running, syncId, Instant.now().minus(Duration.ofHours(3)));
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE config.runs SET status = 'processing', started_at = created_at WHERE id = ?")) {
            ps.setLong(1, Long.parseLong(running));
            ps.executeUpdate();
        }
        String waiting = RunIds.next();
        insertQueued(waiting, syncId, Instant.now().minus(Duration.ofHours(2)));
        api().post("/api/v1/syncs/" + syncId + "/trigger").then().statusCode(200).body("id", equalTo(waiting));
        api().queryParam("runId", waiting).get("/api/v1/syncs/" + syncId + "/runs").then()
                .body("data[0].status", equalTo("queued"));
    }

    @Test
    void aRunErrorWithNulLoneSurrogatesAndFiveMegabytesIsStoredBoundedAndReadable() {
        String syncId = Fixtures.newSync();
        String runId = RunIds.next();
        Instant now = Instant.now();
        history.apply(RunEvent.newBuilder().setRunId(runId).setSyncId(syncId).setStatus(RunStatus.failed)
                .setTerminal(true).setProducer("diff-service").setAt(now).setStartedAt(now).setFinishedAt(now)
                .setError(HOSTILE).setErrorCode("DELIVERY_FAILED").build());

        String error = api().queryParam("runId", runId).get("/api/v1/syncs/" + syncId + "/runs").then().statusCode(200)
                .body("data[0].status", equalTo("failed")).extract().path("data[0].error");
        assertTrue(error.startsWith("HTTP 500: \uFFFD broken \uFFFD xxx"), error.substring(0, 30));
        assertTrue(error.length() <= dev.eddy.contracts.text.SafeText.ERROR_MAX_CHARS, "length " + error.length());
        assertTrue(error.endsWith("… (truncated, " + HOSTILE.length() + " characters)"), error.substring(error.length() - 60));
        assertEquals(-1, error.indexOf('\u0000'));
    }

    @Test
    void aRejectionReasonWithNulLoneSurrogatesAndFiveMegabytesIsStoredBoundedAndReadable() throws Exception {
        String syncId = Fixtures.newSync();
        String runId = RunIds.next();
        rejections.save(List.of(new RejectionStore.Rejection(Long.parseLong(syncId), Long.parseLong(runId), 0, 0, "7",
                "added", "rejected", HOSTILE)));

        String reason = api().get("/api/v1/syncs/" + syncId + "/runs/" + runId + "/rejections").then().statusCode(200)
                .body("data[0].primaryKey", equalTo("7")).body("data[0].reason", not(equalTo(HOSTILE)))
                .extract().path("data[0].reason");
        assertTrue(reason.startsWith("HTTP 500: \uFFFD broken \uFFFD xxx"), reason.substring(0, 30));
        assertTrue(reason.length() <= dev.eddy.contracts.text.SafeText.REASON_MAX_CHARS, "length " + reason.length());
        assertTrue(reason.endsWith("(truncated, " + HOSTILE.length() + " characters)"));
    }

    private void insertQueued(String runId, String syncId, Instant createdAt) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO config.runs (id, sync_id, status, created_at, full_resync, trigger) VALUES (?, ?, 'queued', ?, false, 'api')")) {
            ps.setLong(1, Long.parseLong(runId));
            ps.setLong(2, Long.parseLong(syncId));
            ps.setTimestamp(3, Timestamp.from(createdAt));
            ps.executeUpdate();
        }
    }
}
