package dev.eddy.contracts.kafka;

/**
 * One row (or the fixed part of a batch, such as its sync spec) does not fit one Kafka record under
 * {@code eddy.kafka.max-record-bytes}: the run fails naming the row, it is never skipped.
 */
public class RowTooLargeException extends RuntimeException {

    /** How much of a primary key the message quotes. */
    private static final int KEY_SHOWN = 100;

    private final String primaryKey;
    private final long bytes;

    public RowTooLargeException(String primaryKey, long bytes, long maxRecordBytes) {
        super(message(primaryKey, bytes, maxRecordBytes));
        this.primaryKey = primaryKey;
        this.bytes = bytes;
    }

    /** The row's primary key; null when the fixed part alone is too large. */
    public String primaryKey() {
        return primaryKey;
    }

    /** The record's size with this row alone in it. */
    public long bytes() {
        return bytes;
    }

    private static String message(String primaryKey, long bytes, long limit) {
        String what = primaryKey == null ? "the run's fixed record part (its sync spec)"
                : "row " + (primaryKey.length() > KEY_SHOWN ? primaryKey.substring(0, KEY_SHOWN) + "..." : primaryKey);
        return what + " is " + RecordLimits.human(bytes) + ", over the " + RecordLimits.human(limit)
                + " record limit; raise " + RecordLimits.SETTING + " and the broker's message.max.bytes";
    }
}
