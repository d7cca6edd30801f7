package dev.eddy.config.config;

import dev.eddy.contracts.kafka.RecordLimits;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

import java.util.List;
import java.util.Optional;

/** config-service's typed settings under {@code eddy.*}. */
@ConfigMapping(prefix = "eddy")
public interface EddyConfig {

    /** The suite key secrets are sealed with ({@code EDDY_SECRET_KEY}); required, no default. */
    String secretKey();

    /** The bootstrap API key ({@code EDDY_API_KEY}), stored as a hash at start when present. */
    Optional<String> apiKey();

    /** Kafka settings of this service. */
    Kafka kafka();

    /** Kafka settings of this service. */
    interface Kafka {
        /**
         * The record bound of the suite ({@code EDDY_KAFKA_MAX_RECORD_BYTES}, the same on every service): the batch
         * topics' {@code max.message.bytes} is set from it at start ({@code Topics.requiredSettings}).
         */
        @io.smallrye.config.WithDefault("" + RecordLimits.DEFAULT_MAX_RECORD_BYTES)
        int maxRecordBytes();
    }

    /** delivery-service, which config-service calls for test-a-row. */
    Delivery delivery();

    /** Where delivery-service answers. */
    interface Delivery {
        /** delivery-service's base URL ({@code POST <url>/internal/test-row}). */
        @io.smallrye.config.WithDefault("http://127.0.0.1:8084")
        String url();
    }

    /** Run supervision shared with scheduler-service (keys under {@code eddy.run.}). */
    Run run();

    /** Run supervision. */
    interface Run {
        /**
         * The suite's run progress deadline ({@code EDDY_RUN_PROGRESS_DEADLINE}): scheduler-service ends a run quiet
         * for that long; here a run left {@code queued} on a sync quiet for longer is taken as lost.
         */
        @io.smallrye.config.WithDefault("10m")
        java.time.Duration progressDeadline();
    }

    /** Which hosts Eddy may connect to on a user's behalf ({@code dev.eddy.contracts.egress.EgressPolicy}). */
    Egress egress();

    /** The egress policy's settings, shared by every service that connects on a user's behalf. */
    interface Egress extends dev.eddy.contracts.egress.EgressSettings {
    }

    /** The rest of the suite, as the launcher describes it. */
    Suite suite();

    /** Other services this one reports on. */
    interface Suite {
        /** The other services' {@code /q/health/ready} URLs; readiness is UP only when each answers 200. */
        @WithName("health-urls")
        Optional<List<String>> healthUrls();
    }
}
