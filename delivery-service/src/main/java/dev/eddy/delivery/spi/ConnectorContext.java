package dev.eddy.delivery.spi;

import java.util.Map;

/**
 * What a connector is opened with: the run it writes for, the sync's mode, the destination's configuration
 * (secret values still sealed) and the means to open those secrets.
 */
public record ConnectorContext(String syncId, String runId, SyncMode mode, Map<String, Object> configuration,
                               SecretOpener secrets) {
}
