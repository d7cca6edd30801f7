package dev.eddy.contracts.kafka;

import java.util.Locale;

/**
 * The size bound of Eddy's batch records ({@code eddy.kafka.max-record-bytes}) and the producer and topic limits that
 * follow from it. The default, 900 KiB, fits a stock broker ({@code message.max.bytes} 1,048,588) and the producer's
 * default {@code max.request.size} (1 MiB) with room for what the estimate leaves out; both limits are derived from the
 * bound (one eighth above it, never below Kafka's defaults), so raising the bound on every service raises them too.
 */
public final class RecordLimits {

    /** The default bound of one record's serialised value, in bytes (900 KiB). */
    public static final int DEFAULT_MAX_RECORD_BYTES = 900 * 1024;

    /** The smallest bound accepted: a record must hold the sync spec and at least a row. */
    public static final int MIN_MAX_RECORD_BYTES = 64 * 1024;

    /** The setting's name, as error messages name it. */
    public static final String SETTING = "eddy.kafka.max-record-bytes";

    /** Kafka's defaults: the producer's {@code max.request.size} and the broker's {@code message.max.bytes}. */
    static final int KAFKA_MAX_REQUEST_SIZE = 1024 * 1024;
    static final int KAFKA_MESSAGE_MAX_BYTES = 1024 * 1024 + 12;

    private RecordLimits() {
    }

    /**
     * Checks a configured bound.
     *
     * @throws IllegalArgumentException naming the setting when it is below {@link #MIN_MAX_RECORD_BYTES}
     */
    public static int checked(int maxRecordBytes) {
        if (maxRecordBytes < MIN_MAX_RECORD_BYTES) {
            throw new IllegalArgumentException(SETTING + " is " + maxRecordBytes + "; it must be at least "
                    + MIN_MAX_RECORD_BYTES);
        }
        return maxRecordBytes;
    }

    /** The producer's {@code max.request.size} for the bound: one eighth above it, at least Kafka's 1 MiB default. */
    public static int maxRequestSize(int maxRecordBytes) {
        return Math.max(KAFKA_MAX_REQUEST_SIZE, headroom(maxRecordBytes));
    }

    /** The batch topics' {@code max.message.bytes} for the bound: one eighth above it, at least the broker's default. */
    public static int topicMaxMessageBytes(int maxRecordBytes) {
        return Math.max(KAFKA_MESSAGE_MAX_BYTES, headroom(maxRecordBytes));
    }

    /** A size as people read it: {@code 3.2 MB}, {@code 900 KB}, {@code 512 bytes} (binary units). */
    public static String human(long bytes) {
        if (bytes >= 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
        }
        if (bytes >= 1024) {
            return (bytes / 1024) + " KB";
        }
        return bytes + " bytes";
    }

    private static int headroom(int maxRecordBytes) {
        long withHeadroom = (long) maxRecordBytes + maxRecordBytes / 8;
        return (int) Math.min(Integer.MAX_VALUE, withHeadroom);
    }
}
