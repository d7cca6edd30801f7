package dev.eddy.extractor.synclogs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A sync's opt-in to warehouse sync logs, read from {@code configuration.warehouseSyncLogs}
 * ({@code {"changelog": true, "snapshot": true, "runs": true}}); absent or all false means off.
 */
public record SyncLogSettings(boolean changelog, boolean snapshot, boolean runs) {

    public static final SyncLogSettings OFF = new SyncLogSettings(false, false, false);

    /** The settings of a sync configuration; anything but a JSON {@code true} (or "true") counts as off. */
    public static SyncLogSettings of(ObjectNode configuration) {
        if (configuration == null || !(configuration.get("warehouseSyncLogs") instanceof ObjectNode logs)) {
            return OFF;
        }
        return new SyncLogSettings(on(logs.get("changelog")), on(logs.get("snapshot")), on(logs.get("runs")));
    }

    public boolean any() {
        return changelog || snapshot || runs;
    }

    /** True when a row-level table is wanted, so the run's changes and outcomes must be collected. */
    public boolean rowLevel() {
        return changelog || snapshot;
    }

    private static boolean on(JsonNode value) {
        return value != null && (value.asBoolean(false) || "true".equalsIgnoreCase(value.asText()));
    }
}
