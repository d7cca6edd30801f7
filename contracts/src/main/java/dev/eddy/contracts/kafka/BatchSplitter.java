package dev.eddy.contracts.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Cuts a stream of rows into batches bounded by a row count and by serialised bytes, so every batch fits one Kafka
 * record: the record's fixed part (ids, sync spec, {@link AvroSize#RECORD_OVERHEAD}) plus its rows' bytes never exceed
 * the bound. A row that does not fit even alone is refused with {@link RowTooLargeException}, never dropped. The
 * caller computes each row's bytes from the values it already holds ({@link AvroSize}), so nothing is serialised twice.
 * Not thread-safe.
 *
 * @param <T> the row type
 */
public final class BatchSplitter<T> {

    private final int maxRows;
    private final long maxRecordBytes;
    private final long fixedBytes;
    private final Consumer<List<T>> emit;
    private List<T> open;
    private long openBytes;

    /**
     * @param maxRows        rows per batch at most (the count cap kept beside the byte bound)
     * @param maxRecordBytes the bound of one record ({@code eddy.kafka.max-record-bytes})
     * @param fixedBytes     what every record of the batch carries besides its rows
     * @param emit           receives each full batch; the list is the receiver's
     * @throws RowTooLargeException when the fixed part alone does not fit
     */
    public BatchSplitter(int maxRows, long maxRecordBytes, long fixedBytes, Consumer<List<T>> emit) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("a batch holds at least one row, not " + maxRows);
        }
        if (fixedBytes >= maxRecordBytes) {
            throw new RowTooLargeException(null, fixedBytes, maxRecordBytes);
        }
        this.maxRows = maxRows;
        this.maxRecordBytes = maxRecordBytes;
        this.fixedBytes = fixedBytes;
        this.emit = emit;
        this.open = new ArrayList<>(Math.min(maxRows, 1024));
    }

    /**
     * Adds a row; emits the open batch first when the row would not fit in it, and emits it after when it is full.
     *
     * @param key   the row's primary key, named when the row alone is too large
     * @param bytes the row's serialised bytes within the record
     * @throws RowTooLargeException when the row does not fit one record even alone
     */
    public void add(T row, String key, long bytes) {
        if (fixedBytes + bytes > maxRecordBytes) {
            throw new RowTooLargeException(key, fixedBytes + bytes, maxRecordBytes);
        }
        if (!open.isEmpty() && fixedBytes + openBytes + bytes > maxRecordBytes) {
            flush();
        }
        open.add(row);
        openBytes += bytes;
        if (open.size() >= maxRows) {
            flush();
        }
    }

    /** Emits the open batch, if it holds any row. */
    public void flush() {
        if (open.isEmpty()) {
            return;
        }
        List<T> batch = open;
        open = new ArrayList<>(Math.min(maxRows, Math.max(16, batch.size())));
        openBytes = 0;
        emit.accept(batch);
    }

    /** Drops the open batch without emitting it. */
    public void discard() {
        open = new ArrayList<>();
        openBytes = 0;
    }

    /** Rows in the open batch. */
    public int openRows() {
        return open.size();
    }
}
