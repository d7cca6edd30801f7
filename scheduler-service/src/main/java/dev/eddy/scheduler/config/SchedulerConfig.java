package dev.eddy.scheduler.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** Typed configuration of scheduler-service (keys under {@code eddy.}); validated at start. */
@ConfigMapping(prefix = "eddy")
public interface SchedulerConfig {

    /**
     * The suite's secret key. The scheduler never opens a secret (specs travel sealed), but every service
     * of the suite requires the key so a misconfigured launch fails at once, naming it.
     */
    String secretKey();

    /** Kafka client settings. */
    Kafka kafka();

    /** Kafka client settings; application.properties fills them from {@code kafka.bootstrap.servers} and {@code apicurio.registry.url}. */
    interface Kafka {
        /** Bootstrap servers of the broker. */
        String bootstrapServers();

        /** Apicurio Registry URL; empty means the registry-less contract schema resolver. */
        Optional<String> registryUrl();

        /** Consumer group of the trigger consumer. */
        @WithDefault("eddy-scheduler")
        String triggersGroup();

        /** Consumer group of the run-event consumer. */
        @WithDefault("eddy-scheduler-runs")
        String runEventsGroup();
    }
}
