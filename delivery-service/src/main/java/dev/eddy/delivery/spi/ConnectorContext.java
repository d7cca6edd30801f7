package dev.eddy.delivery.spi;

import dev.eddy.contracts.destination.SyncMode;

import java.util.Map;

/**
 * What a connector is opened with: the run it writes for, the sync's mode and settings, the destination's
 * configuration (secret values still sealed) and the means to open those secrets.
 */
public record ConnectorContext(String syncId, String runId, SyncMode mode, Map<String, Object> configuration,
                               SecretOpener secrets, DeliverySettings settings) {

    /** A context with default settings (object sync, no delete, no rate limit, one request at a time). */
    public ConnectorContext(String syncId, String runId, SyncMode mode, Map<String, Object> configuration,
                            SecretOpener secrets) {
        this(syncId, runId, mode, configuration, secrets, DeliverySettings.defaults());
    }
}
