package dev.eddy.delivery.service;

import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.contracts.kafka.AvroSize;

import java.util.List;

/**
 * Bounds the reasons of row outcomes, so one {@code DeliveryResult} fits one Kafka record whatever a destination
 * answered (a 5 MB error body must not become 5 MB per row, times the rows of a batch). Two bounds:
 * <ol>
 *   <li>each reason at most {@link #MAX_REASON_BYTES} UTF-8 bytes ({@link FinalOutcome} applies it, so dead letters'
 *       reason headers are bounded too);</li>
 *   <li>one batch's reasons share what its result record has left under {@code eddy.kafka.max-record-bytes}
 *       ({@link #perRowBytes}).</li>
 * </ol>
 * The math of the second: a result holds one outcome per row of its change batch, and a change batch is itself
 * bounded by the diff's record bound and its row count (default 1000), so the outcomes' keys fit the bound. With the
 * default 900 KiB, 1000 rows and 100-byte keys, keys and the fixed fields take about 110 KB and each of the 1000
 * reasons keeps about 800 bytes; below 2 KiB only when more than ~440 rows have a reason. Results are not split
 * into several records: the diff records a result once per change batch (its seq), so splitting would need a
 * contract change, and bounded reasons make it unnecessary.
 */
public final class OutcomeReasons {

    /** The longest reason a row outcome keeps, in UTF-8 bytes. */
    public static final int MAX_REASON_BYTES = 2048;

    /** A reason never shrinks below this, so it still says what happened; the marker fits in it. */
    static final int MIN_REASON_BYTES = 64;

    private static final String MARKER = "… [truncated from %d bytes]";

    private OutcomeReasons() {
    }

    /**
     * The reason cut to at most {@code maxBytes} UTF-8 bytes (never within a character), ending with a marker that
     * says it was cut and how long it was; null and short reasons stay as they are.
     */
    public static String truncate(String reason, int maxBytes) {
        if (reason == null || reason.length() * 3L <= maxBytes) {
            return reason; // cheap exit: even all three-byte characters would fit
        }
        int total = AvroSize.utf8Length(reason);
        if (total <= maxBytes) {
            return reason;
        }
        String marker = String.format(MARKER, total);
        int budget = Math.max(0, maxBytes - AvroSize.utf8Length(marker));
        int bytes = 0;
        int end = 0;
        while (end < reason.length()) {
            char c = reason.charAt(end);
            int width;
            int chars = 1;
            if (c < 0x80) {
                width = 1;
            } else if (c < 0x800) {
                width = 2;
            } else if (Character.isHighSurrogate(c) && end + 1 < reason.length()
                    && Character.isLowSurrogate(reason.charAt(end + 1))) {
                width = 4;
                chars = 2;
            } else {
                width = 3;
            }
            if (bytes + width > budget) {
                break;
            }
            bytes += width;
            end += chars;
        }
        return reason.substring(0, end) + marker;
    }

    /**
     * The UTF-8 bytes each reason of one result may keep, so the result stays within {@code maxRecordBytes}: what is
     * left after the fixed part and every outcome's key and flags, shared by the outcomes that have a reason; at most
     * {@link #MAX_REASON_BYTES}, at least {@link #MIN_REASON_BYTES}.
     *
     * @param fixedBytes the record's fixed part (ids, key, overhead)
     */
    static int perRowBytes(List<RowOutcome> outcomes, long fixedBytes, long maxRecordBytes) {
        long used = fixedBytes;
        int withReason = 0;
        for (RowOutcome outcome : outcomes) {
            used += AvroSize.string(outcome.getPk()) + 3; // op, status, the reason's union branch
            if (outcome.getReason() != null) {
                withReason++;
                used += 5; // the reason's length
            }
        }
        if (withReason == 0) {
            return MAX_REASON_BYTES;
        }
        long share = (maxRecordBytes - used) / withReason;
        return (int) Math.max(MIN_REASON_BYTES, Math.min(MAX_REASON_BYTES, share));
    }
}
