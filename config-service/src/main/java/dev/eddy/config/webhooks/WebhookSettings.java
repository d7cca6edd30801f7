package dev.eddy.config.webhooks;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/** Secrets of the dbt Cloud and Fivetran webhook bridges (keys under {@code eddy.webhooks.}, filled from the environment). */
@ConfigMapping(prefix = "eddy.webhooks")
public interface WebhookSettings {

    /** {@code EDDY_DBT_CLOUD_WEBHOOK_SECRET}; without it every dbt Cloud delivery is refused. */
    Optional<String> dbtCloudSecret();

    /** {@code EDDY_FIVETRAN_WEBHOOK_SECRET}; without it every Fivetran delivery is refused. */
    Optional<String> fivetranSecret();
}
