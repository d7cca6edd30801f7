package dev.eddy.diff.config;

import dev.eddy.contracts.kafka.RecordLimits;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Typed configuration of the diff service (prefix {@code eddy}). */
@ConfigMapping(prefix = "eddy")
public interface DiffConfig {

    /** Kafka client settings. */
    Kafka kafka();

    /** Change-set publishing settings. */
    Changes changes();

    /** Kafka settings; the values come from {@code kafka.bootstrap.servers} and {@code apicurio.registry.url}. */
    interface Kafka {
        String bootstrapServers();

        /** Empty: the registry-less schema resolver of the contracts module. */
        Optional<String> registryUrl();

        @WithDefault("eddy-diff")
        String rowsGroup();

        @WithDefault("eddy-diff-results")
        String resultsGroup();

        /**
         * Consumer session timeout: how soon a crashed instance's partitions go to a live one (Kafka's
         * default of 45 s would hold a run that long after a crash).
         */
        @WithDefault("10s")
        Duration sessionTimeout();

        /**
         * The bound of one published record's serialised bytes ({@code EDDY_KAFKA_MAX_RECORD_BYTES}): change batches
         * close before they would exceed it, and a row larger than it alone fails the run. The default fits a stock
         * broker ({@code message.max.bytes} 1 MB); see docs/PROTOCOL.md for raising it.
         */
        @WithDefault("" + RecordLimits.DEFAULT_MAX_RECORD_BYTES)
        int maxRecordBytes();
    }

    /** How the change set is cut into batches and read back from the database. */
    interface Changes {
        /** Rows per published ChangeBatch at most; wide rows close a batch earlier, at {@code eddy.kafka.max-record-bytes}. */
        @WithDefault("1000")
        int batchSize();

        /**
         * PostgreSQL {@code work_mem} of the planning transaction (END marker), whose duplicate check and
         * removal anti-join hash every key of the run; larger runs spill to disk rather than fail.
         */
        @WithDefault("128MB")
        String planWorkMem();

        /** JDBC fetch size when streaming a run's planned changes. */
        @WithDefault("5000")
        int fetchSize();

        /**
         * How long a delivery result may wait for its run's change set to be committed: after a crash of
         * this service during planning, delivery's results of the first attempt can arrive before the
         * replayed planning commits.
         */
        @WithDefault("4m")
        Duration planWait();
    }
}
