package dev.eddy.scheduler.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
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

    /** Schedule evaluation and run supervision. */
    Schedules schedules();

    /** Run supervision shared with the other services (keys under {@code eddy.run.}). */
    Run run();

    /** Run supervision (keys under {@code eddy.run.}). */
    interface Run {
        /**
         * An in-flight run with no progress (no run event) for this long is ended {@code failed}, naming its stage
         * ({@code EDDY_RUN_PROGRESS_DEADLINE}). Workers report progress at least every 30 s while they work.
         */
        @WithDefault("10m")
        Duration progressDeadline();
    }

    /** Schedule evaluation and run supervision (keys under {@code eddy.schedules.}). */
    interface Schedules {
        /** The longest wait between two looks at the schedules; the ticker wakes earlier for a slot due sooner. */
        @WithDefault("1s")
        Duration tick();

        /** Consumer group whose partition assignment of the config topic decides which instance fires which sync. */
        @WithDefault("eddy-scheduler-schedules")
        String ownershipGroup();

        /**
         * An in-flight run with no run event for this long is ended {@code interrupted}: the backstop behind the
         * shorter {@code eddy.run.progress-deadline}, which ends such a run {@code failed} first.
         */
        @WithDefault("1h")
        Duration stalledRunTimeout();

        /** How often in-flight runs are checked for that timeout. */
        @WithDefault("30s")
        Duration stalledRunCheck();
    }

    /** Kafka client settings; application.properties fills them from {@code kafka.bootstrap.servers} and {@code apicurio.registry.url}. */
    interface Kafka {
        /** Bootstrap servers of the broker. */
        String bootstrapServers();

        /** Apicurio Registry URL; empty means the registry-less contract schema resolver. */
        Optional<String> registryUrl();

        /** Consumer group of the trigger consumers. */
        @WithDefault("eddy-scheduler")
        String triggersGroup();

        /**
         * Trigger consumers per instance (threads, each with its own share of the triggers topic's partitions).
         * The gate waits on the database and the broker for each trigger, so two consumers keep a burst of
         * scheduled runs moving while one waits; one sync's triggers stay in one partition, hence in order.
         */
        @WithDefault("2")
        int triggerConsumers();

        /** Consumer group of the run-event consumer. */
        @WithDefault("eddy-scheduler-runs")
        String runEventsGroup();
    }
}
