package dev.eddy.config.service;

import dev.eddy.config.domain.RowCounts;
import dev.eddy.config.domain.Run;
import dev.eddy.contracts.avro.Counts;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class RunEventMergeTest {

    private static final Instant CREATED = Instant.parse("2026-11-23T10:00:00Z");
    private static final Instant STARTED = Instant.parse("2026-11-23T10:00:01Z");
    private static final Instant FINISHED = Instant.parse("2026-11-23T10:00:05Z");

    private static RunEvent.Builder event(RunStatus status, boolean terminal) {
        return RunEvent.newBuilder().setRunId("77").setSyncId("5").setStatus(status).setTerminal(terminal)
                .setProducer("test").setAt(STARTED);
    }

    @Test
    void progressEventSetsOnlyTheFieldsItCarries() {
        Run queued = Run.queued(77, 5, CREATED, false, "api");
        Run run = RunEventMerge.merge(Optional.of(queued), event(RunStatus.querying, false).setStartedAt(STARTED).build());
        assertEquals("querying", run.status());
        assertEquals(STARTED, run.startedAt());
        assertEquals(CREATED, run.createdAt());
        assertNull(run.querySize());
        assertNull(run.plannedRows());

        Run processing = RunEventMerge.merge(Optional.of(run), event(RunStatus.processing, false).setQuerySize(10L)
                .setPlannedRows(new Counts(10L, 0L, 0L)).build());
        assertEquals(STARTED, processing.startedAt());
        assertEquals(10L, processing.querySize());
        assertEquals(new RowCounts(10, 0, 0), processing.plannedRows());
    }

    @Test
    void terminalStatusIsNeverOverwrittenByALaterProgressEvent() {
        Run queued = Run.queued(77, 5, CREATED, false, "api");
        Run done = RunEventMerge.merge(Optional.of(queued), event(RunStatus.success, true).setFinishedAt(FINISHED)
                .setSuccessfulRows(new Counts(3L, 1L, 0L)).setCompletionRatio(1.0).build());
        assertEquals("success", done.status());
        assertEquals(FINISHED, done.finishedAt());

        Run late = RunEventMerge.merge(Optional.of(done), event(RunStatus.processing, false).setCompletionRatio(0.5).build());
        assertSame(done, late);
    }

    @Test
    void theFirstEndCountsALaterTerminalEventDoesNotRewriteIt() {
        // the scheduler's progress deadline ended the run; its worker finishes after all
        Run failed = RunEventMerge.merge(Optional.of(Run.queued(77, 5, CREATED, false, "api")),
                event(RunStatus.failed, true).setFinishedAt(FINISHED).setError("no progress for 600 s in stage processing")
                        .setErrorCode("RUN_PROGRESS_DEADLINE").build());
        Run late = RunEventMerge.merge(Optional.of(failed), event(RunStatus.success, true).setFinishedAt(FINISHED.plusSeconds(60))
                .setSuccessfulRows(new Counts(3L, 0L, 0L)).setCompletionRatio(1.0).build());
        assertSame(failed, late);
    }

    @Test
    void unknownRunIsCreatedFromTheEvent() {
        Run run = RunEventMerge.merge(Optional.empty(), event(RunStatus.failed, true).setError("relation does not exist")
                .setStartedAt(STARTED).setFinishedAt(FINISHED).setTrigger("schedule").build());
        assertEquals(77, run.id());
        assertEquals(5, run.syncId());
        assertEquals("failed", run.status());
        assertEquals(STARTED, run.createdAt());
        assertEquals("relation does not exist", run.error());
        assertEquals("schedule", run.trigger());
    }

    @Test
    void replayingAnEventChangesNothing() {
        Run queued = Run.queued(77, 5, CREATED, false, "api");
        RunEvent e = event(RunStatus.warning, true).setFinishedAt(FINISHED).setFailedRows(new Counts(1L, 0L, 0L)).build();
        Run once = RunEventMerge.merge(Optional.of(queued), e);
        assertEquals(once, RunEventMerge.merge(Optional.of(once), e));
    }

    @Test
    void aSyncLogFailureTurnsASuccessfulRunIntoAWarningWithTheReason() {
        Run success = RunEventMerge.merge(Optional.of(Run.queued(77, 5, CREATED, false, "api")), event(RunStatus.success, true)
                .setStartedAt(STARTED).setFinishedAt(FINISHED).setSuccessfulRows(new Counts(3L, 0L, 0L)).build());
        RunEvent syncLogs = event(RunStatus.warning, false).setAt(FINISHED.plusSeconds(1))
                .setSyncLogsError("sync logs could not be written to eddy_audit: Access denied").build();

        Run marked = RunEventMerge.merge(Optional.of(success), syncLogs);

        assertEquals("warning", marked.status());
        assertEquals("sync logs could not be written to eddy_audit: Access denied", marked.error());
        assertEquals(FINISHED, marked.finishedAt(), "nothing else of the finished run changes");
        assertEquals(new RowCounts(3, 0, 0), marked.successfulRows());
        assertEquals(marked, RunEventMerge.merge(Optional.of(marked), syncLogs), "a replayed sync-logs event changes nothing");
    }

    @Test
    void aSyncLogFailureKeepsAWarningOrAFailureAndAddsItsReasonToTheirError() {
        Run failed = RunEventMerge.merge(Optional.empty(), event(RunStatus.failed, true).setError("relation does not exist").build());
        Run warning = RunEventMerge.merge(Optional.empty(), event(RunStatus.warning, true).build());
        RunEvent syncLogs = event(RunStatus.failed, false).setSyncLogsError("sync logs could not be written to eddy_audit: timeout").build();

        Run stillFailed = RunEventMerge.merge(Optional.of(failed), syncLogs);
        assertEquals("failed", stillFailed.status());
        assertEquals("relation does not exist\nsync logs could not be written to eddy_audit: timeout", stillFailed.error());
        Run stillWarning = RunEventMerge.merge(Optional.of(warning), syncLogs);
        assertEquals("warning", stillWarning.status());
        assertEquals("sync logs could not be written to eddy_audit: timeout", stillWarning.error());
    }
}
