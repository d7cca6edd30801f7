package dev.eddy.contracts.kafka;

import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.Row;
import dev.eddy.contracts.avro.RowBatch;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchSplitterTest {

    private final List<List<String>> emitted = new ArrayList<>();

    @Test
    void batchesAreCutBeforeTheyWouldExceedTheByteBound() {
        BatchSplitter<String> splitter = new BatchSplitter<>(100, 1000, 100, emitted::add);
        for (int i = 0; i < 10; i++) {
            splitter.add("r" + i, "r" + i, 250); // 100 + 3 x 250 = 850 fits, a fourth would make 1100
        }
        splitter.flush();
        assertEquals(List.of(List.of("r0", "r1", "r2"), List.of("r3", "r4", "r5"), List.of("r6", "r7", "r8"),
                List.of("r9")), emitted);
    }

    @Test
    void aRowThatFillsTheRecordExactlyIsItsOwnBatch() {
        BatchSplitter<String> splitter = new BatchSplitter<>(100, 1000, 100, emitted::add);
        splitter.add("small", "small", 10);
        splitter.add("exact", "exact", 900);
        splitter.add("next", "next", 10);
        splitter.flush();
        assertEquals(List.of(List.of("small"), List.of("exact"), List.of("next")), emitted);
    }

    @Test
    void theRowCountStaysABoundBesideTheBytes() {
        BatchSplitter<String> splitter = new BatchSplitter<>(2, 1_000_000, 100, emitted::add);
        for (int i = 0; i < 5; i++) {
            splitter.add("r" + i, "r" + i, 1);
        }
        assertEquals(1, splitter.openRows());
        splitter.flush();
        assertEquals(List.of(List.of("r0", "r1"), List.of("r2", "r3"), List.of("r4")), emitted);
    }

    @Test
    void aSingleRowOverTheBoundIsRefusedNamingItsKeyAndSize() {
        BatchSplitter<String> splitter = new BatchSplitter<>(100, 900 * 1024, 1024, emitted::add);
        splitter.add("41", "41", 100);
        RowTooLargeException e = assertThrows(RowTooLargeException.class,
                () -> splitter.add("42", "42", 3_355_443 - 1024));
        assertEquals("row 42 is 3.2 MB, over the 900 KB record limit; raise eddy.kafka.max-record-bytes and the"
                + " broker's message.max.bytes", e.getMessage());
        assertEquals("42", e.primaryKey());
        assertEquals(1, splitter.openRows(), "the rows before it stay; the caller fails the run");
        assertTrue(emitted.isEmpty());
    }

    @Test
    void nothingIsEmittedForNoRows() {
        BatchSplitter<String> splitter = new BatchSplitter<>(10, 1000, 100, emitted::add);
        splitter.flush();
        splitter.flush();
        assertTrue(emitted.isEmpty());
        splitter.add("a", "a", 10);
        splitter.discard();
        splitter.flush();
        assertTrue(emitted.isEmpty(), "a discarded batch is not emitted");
    }

    @Test
    void aFixedPartOverTheBoundIsRefusedUpFront() {
        RowTooLargeException e = assertThrows(RowTooLargeException.class,
                () -> new BatchSplitter<String>(10, 64 * 1024, 2 * 1024 * 1024, emitted::add));
        assertTrue(e.getMessage().startsWith("the run's fixed record part (its sync spec) is 2.0 MB, over the 64 KB"),
                e.getMessage());
    }

    @Test
    void utf8LengthsAreCountedWithoutEncoding() {
        for (String text : List.of("", "plain ascii", "é ü ß", "€ 漢字", "emoji 😀 and 𝄞", "\u0000nul")) {
            assertEquals(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, AvroSize.utf8Length(text), text);
        }
        // Java encodes a lone surrogate as one '?': counting it as 3 bytes over-estimates, which is the safe side
        String lone = "lone \uD800 surrogate";
        assertTrue(AvroSize.utf8Length(lone) >= lone.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertEquals(1, AvroSize.varint(0));
        assertEquals(1, AvroSize.varint(63));
        assertEquals(2, AvroSize.varint(64));
        assertEquals(3, AvroSize.varint(900 * 1024 / 2));
    }

    @Test
    void theEstimateOfARowBatchIsAtLeastItsAvroEncoding() throws IOException {
        String spec = "{\"model\":{\"sql\":\"SELECT * FROM t\",\"primaryKey\":\"id\"},\"note\":\"é€😀\"}";
        List<Row> rows = new ArrayList<>();
        long estimate = AvroSize.RECORD_OVERHEAD + AvroSize.string("run-1") + 2L * AvroSize.string("sync-1")
                + AvroSize.string(spec);
        for (int i = 0; i < 500; i++) {
            String data = "{\"id\":" + i + ",\"name\":\"wide ü € 😀 value " + "x".repeat(i % 50) + "\"}";
            rows.add(new Row(String.valueOf(i), ByteBuffer.wrap(new byte[16]), data));
            estimate += AvroSize.string(String.valueOf(i)) + AvroSize.bytes(16) + AvroSize.string(data);
        }
        RowBatch batch = RowBatch.newBuilder().setRunId("run-1").setSyncId("sync-1").setAttempt(System.currentTimeMillis())
                .setSeq(12345).setKind(BatchKind.ROWS).setRows(rows).setSpecJson(spec).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(RowBatch.class).write(batch, encoder);
        encoder.flush();
        int encoded = out.size();
        assertTrue(estimate >= encoded + 9 + 6, "estimate " + estimate + " covers the encoding " + encoded
                + " plus the serde header and the key");
        assertTrue(estimate - encoded < AvroSize.RECORD_OVERHEAD + AvroSize.string("sync-1"),
                "and is close to it: " + estimate + " vs " + encoded);
    }
}
