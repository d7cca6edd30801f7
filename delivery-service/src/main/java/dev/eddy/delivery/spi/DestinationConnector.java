package dev.eddy.delivery.spi;

import dev.eddy.contracts.destination.ConfigProblem;
import dev.eddy.contracts.destination.DestinationDescriptor;

import java.util.List;
import java.util.Map;

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
 *       without being opened. {@code validate} must not touch the network or open secrets. It is the
 *       connector's {@link #descriptor()}'s, which the API applies too (a 422 before anything runs).</li>
 *   <li>The runtime checks the sync's type and mode against the descriptor and cuts the batch into slices
 *       of at most {@link DestinationDescriptor#maxBatchSize()} rows.</li>
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

    /** What the connector's destination type supports and requires, shared with the API. */
    DestinationDescriptor descriptor();

    /** The destination type this connector serves, as named in a destination's {@code type}. */
    default String type() {
        return descriptor().type();
    }

    /**
     * Checks a destination configuration (secrets still sealed) and returns every problem found; empty when
     * the configuration is usable.
     */
    default List<ConfigProblem> validate(Map<String, Object> configuration) {
        return descriptor().validate(configuration);
    }

    /** Prepares the connector for the writes of one batch of one run. */
    void open(ConnectorContext context) throws DestinationConfigurationException;

    /** Writes rows and returns one outcome per row, in the rows' order. */
    List<WriteOutcome> write(List<DeliveryRow> rows) throws RetriableDeliveryException;

    /** Releases what {@link #open(ConnectorContext)} acquired; never throws. */
    @Override
    void close();
}
