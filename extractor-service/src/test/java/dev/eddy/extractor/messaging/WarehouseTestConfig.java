package dev.eddy.extractor.messaging;

import io.smallrye.config.ConfigMapping;

/** The demo warehouse's coordinates that {@code EddyInfrastructureResource} hands the tests. */
@ConfigMapping(prefix = "eddy.test.warehouse")
public interface WarehouseTestConfig {
    String host();

    int port();

    String database();

    String jdbcUrl();
}
