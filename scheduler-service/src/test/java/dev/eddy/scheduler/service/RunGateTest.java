package dev.eddy.scheduler.service;

import dev.eddy.scheduler.service.RunGate.TerminalVerdict;
import dev.eddy.scheduler.service.RunGate.TriggerVerdict;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RunGateTest {

    private final RunGate gate = new RunGate();
    private final SyncSlot free = SyncSlot.free("s");
    private final SyncSlot running = new SyncSlot("s", "r1", Instant.EPOCH, null, null);
    private final SyncSlot runningWithQueued = new SyncSlot("s", "r1", Instant.EPOCH, "r2", "{}");

    @Test
    void triggerOfFreeSyncIsReleased() {
        assertEquals(TriggerVerdict.RELEASE, gate.onTrigger(free, "r1", false));
    }

    @Test
    void triggerOfBusySyncIsQueued() {
        assertEquals(TriggerVerdict.QUEUE, gate.onTrigger(running, "r2", false));
    }

    @Test
    void triggerWhileAnotherRunIsQueuedIsSuperseded() {
        assertEquals(TriggerVerdict.SUPERSEDE, gate.onTrigger(runningWithQueued, "r3", false));
    }

    @Test
    void alreadyDecidedRunIsNeverDecidedAgainEvenWhenTheSyncIsFree() {
        assertEquals(TriggerVerdict.DUPLICATE, gate.onTrigger(free, "r1", true));
        assertEquals(TriggerVerdict.DUPLICATE, gate.onTrigger(runningWithQueued, "r0", true));
    }

    @Test
    void replayOfInFlightOrQueuedRunIsDuplicate() {
        assertEquals(TriggerVerdict.DUPLICATE, gate.onTrigger(running, "r1", false));
        assertEquals(TriggerVerdict.DUPLICATE, gate.onTrigger(runningWithQueued, "r2", false));
    }

    @Test
    void terminalEventOfInFlightRunFreesTheSync() {
        assertEquals(TerminalVerdict.FREE, gate.onTerminal(running, "r1"));
    }

    @Test
    void terminalEventOfInFlightRunReleasesTheQueuedRun() {
        assertEquals(TerminalVerdict.FREE_AND_RELEASE_QUEUED, gate.onTerminal(runningWithQueued, "r1"));
    }

    @Test
    void terminalEventOfQueuedRunEmptiesTheQueueSlot() {
        assertEquals(TerminalVerdict.CLEAR_QUEUE, gate.onTerminal(runningWithQueued, "r2"));
    }

    @Test
    void terminalEventOfAnyOtherRunIsIgnored() {
        assertEquals(TerminalVerdict.IGNORE, gate.onTerminal(runningWithQueued, "r3"));
        assertEquals(TerminalVerdict.IGNORE, gate.onTerminal(free, "r1"));
    }
}
