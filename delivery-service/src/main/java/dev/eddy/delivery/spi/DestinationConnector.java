package dev.eddy.delivery.spi;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A destination connector: writes a sync's changed rows to one kind of destination (webhook, HTTP API,
 * database, topic). Modelled on Kafka Connect's {@code SinkTask}.
 *
 * <p>Lifecycle, as the delivery runtime drives it:
 * <ol>
 *   <li>The runtime creates a fresh instance for a change batch of a run through the connector registry,
 *       from the destination's {@code type}.</li>
 *   <li>{@link #validate(Map)} checks the destination's configuration and returns <em>every</em> problem at
 *       once; a non-empty list is a fatal configuration error for the run and the instance is dropped
 *       without being opened. {@code validate} must not touch the network or open secrets.</li>
 *   <li>The runtime checks the sync's mode against {@link #supportedModes()} and cuts the batch into slices
 *       of at most {@link #maxBatchSize()} rows.</li>
 *   <li>{@link #open(ConnectorContext)} is called once: the connector opens its secrets (only here, through
 *       {@link ConnectorContext#secrets()}) and prepares its clients. It throws
 *       {@link DestinationConfigurationException} for a configuration it cannot work with; the run is then
 *       fatal.</li>
 *   <li>{@link #write(List)} is called once per slice, and again with the rows still pending when the runtime
 *       retries. It returns one {@link WriteOutcome} per row, in the order of the rows: accepted, rejected
 *       with a reason (never retried in this run), or retriable with a reason (the runtime retries those rows).
 *       When the whole slice failed for a passing reason it throws {@link RetriableDeliveryException}; the
 *       runtime retries it under its retry policy (backoff, attempts, deadline, {@code Retry-After}).
 *       Any other exception stops the run as fatal. Writes must be idempotent per primary key: delivery is
 *       at-least-once and a replay may send a row again.</li>
 *   <li>{@link #close()} is called exactly once after the last write, also after {@code open} or a write
 *       failed; it releases what {@code open} acquired and must not throw.</li>
 * </ol>
 *
 * <p>Threading and ownership: an instance is used by one thread at a time (validated on the consumer thread,
 * then handed to delivery's sender thread, which opens, writes and closes it) and is never shared between runs; the runtime owns it from creation to {@code close}. The
 * rows passed to {@code write} belong to the runtime and must not be kept after the call returns.
 */
public interface DestinationConnector extends AutoCloseable {

    /** The destination type this connector serves, as named in a destination's {@code type}. */
    String type();

    /** The sync modes this connector can carry out. */
    Set<SyncMode> supportedModes();

    /** The sync types ({@code object}, {@code event}) this connector can carry out; a run of another type fails. */
    default Set<SyncType> supportedTypes() {
        return java.util.EnumSet.allOf(SyncType.class);
    }

    /**
     * True when {@link #write(List)} judges each row on its own (one request or statement outcome per row); false
     * when a write succeeds or fails as a whole, in which case the runtime splits a wholly rejected write in
     * halves, recursively, to isolate the rejected rows so the good ones still land.
     */
    default boolean outcomesPerRow() {
        return false;
    }

    /** Attempts per write (the first included) when the sync sets none; 0 takes the service's default. */
    default int defaultMaxAttempts() {
        return 0;
    }

    /** The most rows one {@link #write(List)} call may carry. */
    int maxBatchSize();

    /** The request rate the destination tolerates when the sync sets none. */
    RateLimit defaultRateLimit();

    /**
     * Checks a destination configuration (secrets still sealed) and returns every problem found; empty when
     * the configuration is usable.
     */
    List<ConfigProblem> validate(Map<String, Object> configuration);

    /** Prepares the connector for the writes of one batch of one run. */
    void open(ConnectorContext context) throws DestinationConfigurationException;

    /** Writes rows and returns one outcome per row, in the rows' order. */
    List<WriteOutcome> write(List<DeliveryRow> rows) throws RetriableDeliveryException;

    /** Releases what {@link #open(ConnectorContext)} acquired; never throws. */
    @Override
    void close();
}
