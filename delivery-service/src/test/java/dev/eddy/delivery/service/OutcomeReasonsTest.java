package dev.eddy.delivery.service;

import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.avro.DeliveryResult;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.contracts.kafka.AvroSize;
import dev.eddy.contracts.kafka.RecordLimits;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutcomeReasonsTest {

    @Test
    void aFiveMegabyteReasonIsCutToTwoKilobytesWithAMarker() {
        String body = "HTTP 500: " + "e".repeat(5 * 1024 * 1024);
        FinalOutcome outcome = FinalOutcome.rejected(body);
        assertTrue(outcome.reason().getBytes(StandardCharsets.UTF_8).length <= OutcomeReasons.MAX_REASON_BYTES);
        assertTrue(outcome.reason().startsWith("HTTP 500: eee"), outcome.reason());
        assertTrue(outcome.reason().endsWith("… [truncated from 5242890 bytes]"), outcome.reason());
    }

    @Test
    void shortAndMissingReasonsStayAsTheyAre() {
        String reason = "HTTP 422: email is invalid";
        assertSame(reason, FinalOutcome.rejected(reason).reason());
        assertNull(FinalOutcome.accepted().reason());
        String exactly = "é".repeat(OutcomeReasons.MAX_REASON_BYTES / 2);
        assertSame(exactly, OutcomeReasons.truncate(exactly, OutcomeReasons.MAX_REASON_BYTES));
    }

    @Test
    void aCutNeverSplitsACharacter() {
        String wide = "😀€é".repeat(2000);
        for (int max : List.of(64, 65, 66, 67, 100, 2048)) {
            String cut = OutcomeReasons.truncate(wide, max);
            byte[] bytes = cut.getBytes(StandardCharsets.UTF_8);
            assertTrue(bytes.length <= max, max + ": " + bytes.length);
            assertEquals(cut, new String(bytes, StandardCharsets.UTF_8), "valid UTF-8, no half surrogate");
            assertTrue(cut.contains("[truncated from"));
        }
    }

    @Test
    void aThousandRowsRejectedWithAFiveMegabyteBodyFitOneRecord() throws IOException {
        String body = "x".repeat(5 * 1024 * 1024);
        List<RowOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            FinalOutcome outcome = FinalOutcome.rejected(body + i);
            outcomes.add(new RowOutcome("customer-" + i, ChangeOp.ADDED, OutcomeStatus.REJECTED, outcome.reason()));
        }
        String runId = "123456789012345678";
        String syncId = "sync-0f8fad5b-d9cb-469f-a165-70867728950e";
        long fixed = AvroSize.RECORD_OVERHEAD + AvroSize.string(runId) + 2L * AvroSize.string(syncId);
        int perRow = OutcomeReasons.perRowBytes(outcomes, fixed, RecordLimits.DEFAULT_MAX_RECORD_BYTES);
        assertTrue(perRow > 700 && perRow < OutcomeReasons.MAX_REASON_BYTES, "each reason keeps " + perRow + " bytes");
        outcomes.forEach(o -> o.setReason(OutcomeReasons.truncate(o.getReason(), perRow)));

        DeliveryResult result = DeliveryResult.newBuilder().setRunId(runId).setSyncId(syncId).setSeq(42)
                .setKind(BatchKind.ROWS).setOutcomes(outcomes).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(DeliveryResult.class).write(result, encoder);
        encoder.flush();
        assertTrue(out.size() + AvroSize.RECORD_OVERHEAD <= RecordLimits.DEFAULT_MAX_RECORD_BYTES,
                "the result is " + out.size() + " bytes");
        assertTrue(out.size() > RecordLimits.DEFAULT_MAX_RECORD_BYTES * 8L / 10, "and uses the room it has: " + out.size());
    }

    @Test
    void aBatchWithFewReasonsKeepsThemAtTwoKilobytes() {
        List<RowOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            outcomes.add(new RowOutcome(String.valueOf(i), ChangeOp.CHANGED,
                    i < 10 ? OutcomeStatus.REJECTED : OutcomeStatus.ACCEPTED, i < 10 ? "refused" : null));
        }
        assertEquals(OutcomeReasons.MAX_REASON_BYTES, OutcomeReasons.perRowBytes(outcomes, 600, 900 * 1024));
    }
}
