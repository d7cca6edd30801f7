package dev.eddy.extractor.messaging;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.Row;
import dev.eddy.contracts.avro.RowBatch;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.kafka.AvroSize;
import dev.eddy.contracts.kafka.BatchSplitter;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.RowTooLargeException;
import dev.eddy.extractor.service.ErrorCode;
import dev.eddy.extractor.service.ExtractionSummary;
import dev.eddy.extractor.service.RowSink;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Publishes one extraction's rows as {@code RowBatch}es {@code ROWS} numbered 0..n-1 without waiting for
 * each, then, once every batch is acknowledged, the {@code END} marker with {@code seq = n}. Each batch is
 * bounded by a row count and by {@code eddy.kafka.max-record-bytes} of serialised bytes (the spec every batch
 * carries counted in); a row over the bound alone throws {@link RowTooLargeException}, which fails the run.
 * Holds at most one open batch plus the producer's bounded buffer. Kafka failures are thrown (unchecked), so
 * the consumer retries the whole request as a new attempt. One per extraction; not thread-safe.
 */
final class RowBatchPublisher implements RowSink {

    private final EventPublisher publisher;
    private final RunRequest request;
    private final long attempt;
    private final Deque<Future<RecordMetadata>> pending = new ArrayDeque<>();
    private final BatchSplitter<Row> batches;
    private int seq;

    /**
     * @throws RowTooLargeException when the run's spec alone does not fit a record
     */
    RowBatchPublisher(EventPublisher publisher, RunRequest request, long attempt, int batchSize, int maxRecordBytes) {
        this.publisher = publisher;
        this.request = request;
        this.attempt = attempt;
        this.batches = new BatchSplitter<>(batchSize, maxRecordBytes, fixedBytes(request), this::sendBatch);
    }

    /**
     * What every ROWS batch carries besides its rows: the key, the ids and the spec (the small fields and the
     * serde's header are in {@link AvroSize#RECORD_OVERHEAD}).
     */
    private static long fixedBytes(RunRequest request) {
        return AvroSize.RECORD_OVERHEAD + AvroSize.string(request.getRunId()) + 2L * AvroSize.string(request.getSyncId())
                + AvroSize.string(request.getSpecJson());
    }

    /** @throws RowTooLargeException when the row does not fit a record even alone */
    @Override
    public void row(String pk, byte[] hash, String data) {
        // from the values' UTF-8 lengths, as Avro writes them: no second serialisation per row
        long bytes = AvroSize.string(pk) + AvroSize.bytes(hash.length) + AvroSize.string(data);
        batches.add(new Row(pk, ByteBuffer.wrap(hash), data), pk, bytes);
    }

    /** Sends the last partial batch, waits for every batch, then sends and awaits END. */
    void complete(ExtractionSummary summary) {
        batches.flush();
        awaitPending();
        RowBatch end = base(BatchKind.END, List.of())
                .setQuerySize(summary.querySize())
                .setColumns(summary.columns())
                .build();
        publisher.sendAndWait(Topics.ROWS, request.getSyncId(), end);
    }

    /** Drops the open batch, waits for the batches already sent (they stay), then sends and awaits END with the error. */
    void fail(ErrorCode code, String message) {
        batches.discard();
        awaitPending();
        RowBatch end = base(BatchKind.END, List.of())
                .setError(message)
                .setErrorCode(code.name())
                .build();
        publisher.sendAndWait(Topics.ROWS, request.getSyncId(), end);
    }

    /** Batches of ROWS published so far. */
    int batches() {
        return seq;
    }

    private void sendBatch(List<Row> rows) {
        RowBatch batch = base(BatchKind.ROWS, rows).build();
        pending.addLast(publisher.send(Topics.ROWS, request.getSyncId(), batch));
        seq++;
        while (!pending.isEmpty() && pending.peekFirst().isDone()) {
            check(pending.removeFirst());
        }
    }

    private void awaitPending() {
        publisher.flush();
        while (!pending.isEmpty()) {
            check(pending.removeFirst());
        }
    }

    private static void check(Future<RecordMetadata> future) {
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing row batches", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the broker refused a row batch: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private RowBatch.Builder base(BatchKind kind, List<Row> batchRows) {
        return RowBatch.newBuilder()
                .setRunId(request.getRunId())
                .setSyncId(request.getSyncId())
                .setAttempt(attempt)
                .setSeq(seq)
                .setKind(kind)
                .setRows(batchRows)
                .setSpecJson(request.getSpecJson())
                .setFullResync(request.getFullResync())
                .setResetCDC(request.getResetCDC());
    }
}
