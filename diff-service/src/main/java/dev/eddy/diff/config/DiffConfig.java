package dev.eddy.diff.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

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
    }

    /** How the change set is cut into batches and read back from the database. */
    interface Changes {
        /** Rows per published ChangeBatch. */
        @WithDefault("1000")
        int batchSize();

        /** JDBC fetch size when streaming a run's planned changes. */
        @WithDefault("5000")
        int fetchSize();
    }
}
