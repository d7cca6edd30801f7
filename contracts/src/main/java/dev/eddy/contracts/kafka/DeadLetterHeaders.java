package dev.eddy.contracts.kafka;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;

/**
 * The context headers {@link ConsumerLoop} adds to a dead letter on {@link dev.eddy.contracts.Topics#DEAD_LETTER}.
 * The letter's key, value and other headers are the original record's, byte for byte, so replaying it (key, value,
 * and the headers without these) onto {@link #TOPIC} puts the same record back.
 */
public final class DeadLetterHeaders {

    /** Prefix of every context header; the original record's own headers never start with it. */
    public static final String PREFIX = "eddy.dlt.";
    /** The topic the record was read from (only a record's dead letter has it; delivery's row letters do not). */
    public static final String TOPIC = PREFIX + "topic";
    public static final String PARTITION = PREFIX + "partition";
    public static final String OFFSET = PREFIX + "offset";
    /** The original record's timestamp, epoch milliseconds. */
    public static final String TIMESTAMP = PREFIX + "timestamp";
    /** The consumer loop that gave up on it (e.g. {@code diff-rows}). */
    public static final String STAGE = PREFIX + "stage";
    /** {@value #UNDECODABLE} or {@value #HANDLER}. */
    public static final String FAILURE = PREFIX + "failure";
    public static final String UNDECODABLE = "undecodable";
    public static final String HANDLER = "handler";
    /** The exception's class name. */
    public static final String EXCEPTION = PREFIX + "exception";
    /** The exception and its causes on one line, safe text, at most 4 KB. */
    public static final String MESSAGE = PREFIX + "message";

    private DeadLetterHeaders() {
    }

    /** The last value of the header as text, or null. */
    public static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    static void add(Headers headers, String name, String value) {
        headers.add(name, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }
}
