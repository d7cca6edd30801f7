package dev.eddy.extractor.synclogs;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.Change;
import dev.eddy.contracts.avro.ChangeBatch;
import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.avro.Counts;
import dev.eddy.contracts.avro.DeliveryResult;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.spec.SyncSpec;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The recorder's bookkeeping: opt-in, completion across topics read out of order, and row statuses. */
class SyncLogRecorderTest {

    private final SyncLogRecorder recorder = new SyncLogRecorder();

    @Test
    void syncsWithoutOptInAreNeverHeld() {
        recorder.onRunRequest(request("r1", null));
        recorder.onChanges(changes("r1", null, 0, change(ChangeOp.ADDED, "1")));
        assertEquals(0, recorder.pending());
    }

    @Test
    void aRunCompletesWhenTerminalAndDeliveryEndAreInWhicheverComesFirst() {
        ObjectNode logs = JsonNodeFactory.instance.objectNode().put("changelog", true);
        recorder.onChanges(changes("r1", logs, 0, change(ChangeOp.ADDED, "1"), change(ChangeOp.CHANGED, "2"), change(ChangeOp.ADDED, "3")));
        assertTrue(recorder.onRunEvent(terminal("r1", 3)).isEmpty(), "delivery results still to come");
        recorder.onResult(result("r1", 0, BatchKind.ROWS, null, outcome("1", OutcomeStatus.ACCEPTED), outcome("2", OutcomeStatus.REJECTED)));
        RunLog run = recorder.onResult(result("r1", 1, BatchKind.END, "destination unreachable")).orElseThrow();
        assertEquals(List.of("succeeded", "failed", "aborted"), run.rows().stream().map(RowLog::status).toList());
        assertEquals(0, recorder.pending());
    }

    @Test
    void aTerminalEventReadBeforeTheRunRequestIsKept() {
        ObjectNode logs = JsonNodeFactory.instance.objectNode().put("runs", true);
        assertTrue(recorder.onRunEvent(terminal("r2", 0)).isEmpty());
        RunLog run = recorder.onRunRequest(request("r2", logs)).orElseThrow();
        assertEquals("success", run.summary().status());
    }

    @Test
    void aRedeliveredBatchIsCountedOnce() {
        ObjectNode logs = JsonNodeFactory.instance.objectNode().put("snapshot", true);
        recorder.onChanges(changes("r3", logs, 0, change(ChangeOp.ADDED, "1")));
        recorder.onChanges(changes("r3", logs, 0, change(ChangeOp.ADDED, "1")));
        recorder.onResult(result("r3", 0, BatchKind.ROWS, null, outcome("1", OutcomeStatus.ACCEPTED)));
        recorder.onResult(result("r3", 1, BatchKind.END, null));
        RunLog run = recorder.onRunEvent(terminal("r3", 1)).orElseThrow();
        assertEquals(1, run.rows().size());
    }

    private static String spec(ObjectNode logs) {
        ObjectNode configuration = JsonNodeFactory.instance.objectNode();
        if (logs != null) {
            configuration.set("warehouseSyncLogs", logs);
        }
        return new SyncSpec("s", "s", 1, new SyncSpec.Model("m", "M", "m", "id", "SELECT 1"), null, null, configuration).toJson();
    }

    private static RunRequest request(String run, ObjectNode logs) {
        return RunRequest.newBuilder().setRunId(run).setSyncId("s").setRequestedAt(Instant.now()).setSpecJson(spec(logs)).build();
    }

    private static Change change(ChangeOp op, String pk) {
        return Change.newBuilder().setOp(op).setPk(pk).setData("{}").build();
    }

    private static ChangeBatch changes(String run, ObjectNode logs, int seq, Change... changes) {
        return ChangeBatch.newBuilder().setRunId(run).setSyncId("s").setSeq(seq).setKind(BatchKind.ROWS)
                .setChanges(List.of(changes)).setSpecJson(spec(logs)).build();
    }

    private static RowOutcome outcome(String pk, OutcomeStatus status) {
        return RowOutcome.newBuilder().setPk(pk).setOp(ChangeOp.ADDED).setStatus(status).setReason(status == OutcomeStatus.ACCEPTED ? null : "no").build();
    }

    private static DeliveryResult result(String run, int seq, BatchKind kind, String fatal, RowOutcome... outcomes) {
        return DeliveryResult.newBuilder().setRunId(run).setSyncId("s").setSeq(seq).setKind(kind).setOutcomes(List.of(outcomes))
                .setFatalError(fatal).build();
    }

    private static RunEvent terminal(String run, long planned) {
        Counts c = Counts.newBuilder().setAddedCount(planned).build();
        return RunEvent.newBuilder().setRunId(run).setSyncId("s").setStatus(RunStatus.success).setTerminal(true).setProducer("t")
                .setAt(Instant.now()).setPlannedRows(c).build();
    }
}
