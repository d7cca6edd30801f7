package dev.eddy.extractor.messaging;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.Row;
import dev.eddy.contracts.avro.RowBatch;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.extractor.service.ErrorCode;
import dev.eddy.extractor.service.ExtractionSummary;
import dev.eddy.extractor.service.RowSink;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Publishes one extraction's rows as {@code RowBatch}es {@code ROWS} numbered 0..n-1 without waiting for
 * each, then, once every batch is acknowledged, the {@code END} marker with {@code seq = n}. Holds at
 * most one open batch plus the producer's bounded buffer. Kafka failures are thrown (unchecked), so the
 * consumer retries the whole request as a new attempt. One per extraction; not thread-safe.
 */
final class RowBatchPublisher implements RowSink {

    private final EventPublisher publisher;
    private final RunRequest request;
    private final long attempt;
    private final int batchSize;
    private final int batchMaxChars;
    private final Deque<Future<RecordMetadata>> pending = new ArrayDeque<>();
    private List<Row> rows;
    private int batchChars;
    private int seq;

    RowBatchPublisher(EventPublisher publisher, RunRequest request, long attempt, int batchSize, int batchMaxChars) {
        this.publisher = publisher;
        this.request = request;
        this.attempt = attempt;
        this.batchSize = batchSize;
        this.batchMaxChars = batchMaxChars;
        this.rows = new ArrayList<>(batchSize);
    }

    @Override
    public void row(String pk, byte[] hash, String data) {
        rows.add(new Row(pk, ByteBuffer.wrap(hash), data));
        batchChars += data.length() + pk.length();
        if (rows.size() >= batchSize || batchChars >= batchMaxChars) {
            sendBatch();
        }
    }

    /** Sends the last partial batch, waits for every batch, then sends and awaits END. */
    void complete(ExtractionSummary summary) {
        if (!rows.isEmpty()) {
            sendBatch();
        }
        awaitPending();
        RowBatch end = base(BatchKind.END, List.of())
                .setQuerySize(summary.querySize())
                .setColumns(summary.columns())
                .build();
        publisher.sendAndWait(Topics.ROWS, request.getSyncId(), end);
    }

    /** Drops the open batch, waits for the batches already sent (they stay), then sends and awaits END with the error. */
    void fail(ErrorCode code, String message) {
        rows = new ArrayList<>();
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

    private void sendBatch() {
        RowBatch batch = base(BatchKind.ROWS, rows).build();
        pending.addLast(publisher.send(Topics.ROWS, request.getSyncId(), batch));
        seq++;
        rows = new ArrayList<>(batchSize);
        batchChars = 0;
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
