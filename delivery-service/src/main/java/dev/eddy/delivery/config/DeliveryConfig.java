package dev.eddy.delivery.config;

import dev.eddy.contracts.kafka.RecordLimits;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** delivery-service's typed configuration (prefix {@code eddy}). */
@ConfigMapping(prefix = "eddy")
public interface DeliveryConfig {

    /** The suite's key for sealed secrets ({@code EDDY_SECRET_KEY}); required. */
    String secretKey();

    Delivery delivery();

    /** Kafka settings of this service. */
    Kafka kafka();

    /** Kafka settings of this service. */
    interface Kafka {
        /**
         * The bound of one published record's serialised bytes ({@code EDDY_KAFKA_MAX_RECORD_BYTES}): a batch's
         * delivery result shortens its rows' reasons to stay under it. The default fits a stock broker
         * ({@code message.max.bytes} 1 MB); see docs/PROTOCOL.md for raising it.
         */
        @WithDefault("" + RecordLimits.DEFAULT_MAX_RECORD_BYTES)
        int maxRecordBytes();
    }

    /** Which destinations delivery may connect to ({@code dev.eddy.contracts.egress.EgressPolicy}). */
    Egress egress();

    /** The egress policy's settings, shared by every service that connects on a user's behalf. */
    interface Egress extends dev.eddy.contracts.egress.EgressSettings {
    }

    /** How batches are delivered. */
    interface Delivery {
        /** The least time between two progress events of one run. */
        @WithDefault("500ms")
        Duration progressInterval();

        /**
         * Batch results and progress events that may await the broker's acknowledgement while the next batches
         * are delivered; a batch's offset is committed only once its events are acknowledged.
         */
        @WithDefault("8")
        int unacknowledgedEvents();

        Retry retry();

        Webhook webhook();
    }

    /** Retries of a failed write. */
    interface Retry {
        @WithDefault("5")
        int maxAttempts();

        @WithDefault("60s")
        Duration deadline();

        @WithDefault("250ms")
        Duration initialBackoff();

        @WithDefault("10s")
        Duration maxBackoff();
    }

    /** The webhook connector's HTTP client. */
    interface Webhook {
        @WithDefault("5s")
        Duration connectTimeout();

        @WithDefault("30s")
        Duration requestTimeout();
    }
}
