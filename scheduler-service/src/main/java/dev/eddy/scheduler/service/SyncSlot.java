package dev.eddy.scheduler.service;

import java.time.Instant;

/**
 * What the scheduler knows about one sync: the run in flight (if any) and the one queued trigger (if any).
 *
 * @param queuedTriggerJson the queued trigger (Avro JSON, its run id filled in), released when the sync is free
 */
public record SyncSlot(String syncId, String inFlightRunId, Instant inFlightSince,
                       String queuedRunId, String queuedTriggerJson) {

    /** A sync the scheduler has never seen: free, nothing queued. */
    public static SyncSlot free(String syncId) {
        return new SyncSlot(syncId, null, null, null, null);
    }

    public boolean busy() {
        return inFlightRunId != null;
    }

    public boolean hasQueued() {
        return queuedRunId != null;
    }
}
