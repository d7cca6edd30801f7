package dev.eddy.scheduler.service;

import java.util.Objects;

/**
 * The "one run per sync at a time, at most one queued follow-up" policy, as pure decisions over a
 * {@link SyncSlot}; the caller applies them (publish, then persist) under the sync's row lock.
 */
public final class RunGate {

    /** What to do with a trigger for a sync. */
    public enum TriggerVerdict {
        /** The sync is free: publish the run request and mark the run in flight. */
        RELEASE,
        /** The sync is busy and the queue slot is empty: keep the trigger queued. */
        QUEUE,
        /** The sync is busy and another run is queued: end this trigger's run {@code cancelled}. */
        SUPERSEDE,
        /** The run was already released, superseded, is in flight or queued: a replay, nothing to do. */
        DUPLICATE
    }

    /** What to do with a terminal run event for a sync. */
    public enum TerminalVerdict {
        /** The in-flight run ended and a trigger is queued: free the sync and release the queued run. */
        FREE_AND_RELEASE_QUEUED,
        /** The in-flight run ended and nothing is queued: free the sync. */
        FREE,
        /** The queued run ended elsewhere (e.g. cancelled): empty the queue slot. */
        CLEAR_QUEUE,
        /** Not a run this sync is waiting on (a replay, or a run the scheduler superseded). */
        IGNORE
    }

    /**
     * @param alreadyDecided true when the run id was released or superseded before
     */
    public TriggerVerdict onTrigger(SyncSlot slot, String runId, boolean alreadyDecided) {
        Objects.requireNonNull(runId, "runId");
        if (alreadyDecided || runId.equals(slot.inFlightRunId()) || runId.equals(slot.queuedRunId())) {
            return TriggerVerdict.DUPLICATE;
        }
        if (!slot.busy()) {
            return TriggerVerdict.RELEASE;
        }
        return slot.hasQueued() ? TriggerVerdict.SUPERSEDE : TriggerVerdict.QUEUE;
    }

    /** Decides on a run event of {@code slot}'s sync that has {@code terminal = true}. */
    public TerminalVerdict onTerminal(SyncSlot slot, String runId) {
        Objects.requireNonNull(runId, "runId");
        if (runId.equals(slot.inFlightRunId())) {
            return slot.hasQueued() ? TerminalVerdict.FREE_AND_RELEASE_QUEUED : TerminalVerdict.FREE;
        }
        if (runId.equals(slot.queuedRunId())) {
            return TerminalVerdict.CLEAR_QUEUE;
        }
        return TerminalVerdict.IGNORE;
    }
}
