package dev.eddy.extractor.config;

import dev.eddy.contracts.kafka.RecordLimits;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Typed configuration of the extractor service (prefix {@code eddy}). */
@ConfigMapping(prefix = "eddy")
public interface ExtractorConfig {

    /** The suite key sealed secrets are opened with ({@code EDDY_SECRET_KEY}); required, no default. */
    String secretKey();

    /** How models are read and published. */
    Extractor extractor();

    /** Kafka settings of this service. */
    Kafka kafka();

    /** Kafka settings of this service. */
    interface Kafka {
        /**
         * The bound of one published record's serialised bytes ({@code EDDY_KAFKA_MAX_RECORD_BYTES}): row batches
         * close before they would exceed it, and a row larger than it alone fails the run. The default fits a stock
         * broker ({@code message.max.bytes} 1 MB); see docs/PROTOCOL.md for raising it.
         */
        @WithDefault("" + RecordLimits.DEFAULT_MAX_RECORD_BYTES)
        int maxRecordBytes();
    }

    /** Which source hosts the extractor may connect to ({@code dev.eddy.contracts.egress.EgressPolicy}). */
    Egress egress();

    /** The egress policy's settings, shared by every service that connects on a user's behalf. */
    interface Egress extends dev.eddy.contracts.egress.EgressSettings {
    }

    /** Settings of the extraction itself. */
    interface Extractor {
        /** JDBC fetch size: rows the driver holds per round trip, which bounds memory while streaming. */
        @WithDefault("5000")
        int fetchSize();

        /**
         * Rows per published {@code RowBatch} at most: the diff stages one batch per transaction, so larger batches
         * mean fewer round trips. Wide rows close a batch earlier, at {@code eddy.kafka.max-record-bytes}.
         */
        @WithDefault("5000")
        int batchSize();

        /** How long opening a source connection may take before the source counts as unreachable. */
        @WithDefault("10s")
        Duration connectTimeout();

        /**
         * How long a run waits out a source that cannot be reached (connection refused or dropped, SQLState 08, a
         * locked DuckDB file) before it fails with SOURCE_UNREACHABLE: within it the run request is retried as a new
         * extraction attempt, with the consumer's backoff, so a warehouse restart or a short outage costs a
         * re-extraction, not a failed run.
         */
        @WithDefault("3m")
        Duration sourceRetryWindow();

        /** Longest extraction of one run: the consumer stays in its group while a run request is handled. */
        @WithDefault("30m")
        Duration maxRunDuration();
    }
}
