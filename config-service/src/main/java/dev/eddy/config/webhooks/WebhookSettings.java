package dev.eddy.config.webhooks;

import io.smallrye.config.ConfigMapping;

import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Secrets of the dbt Cloud and Fivetran webhook bridges (keys under {@code eddy.webhooks.}, filled from the environment). */
@ConfigMapping(prefix = "eddy.webhooks")
public interface WebhookSettings {

    /** {@code EDDY_DBT_CLOUD_WEBHOOK_SECRET}; without it every dbt Cloud delivery is refused. */
    Optional<String> dbtCloudSecret();

    /** {@code EDDY_FIVETRAN_WEBHOOK_SECRET}; without it every Fivetran delivery is refused. */
    Optional<String> fivetranSecret();

    /** How far a delivery's signed event time may be from now before it is refused as a replay. */
    @WithDefault("PT5M")
    Duration maxAge();
}
