package dev.eddy.contracts.schedule;

import java.time.Instant;
import java.util.Optional;

/**
 * Decides whether a time-based schedule has a slot to fire now. {@code lastSlot} is the slot fired last, or
 * the moment the schedule (in its current form) was first seen: a new, changed or resumed schedule starts at
 * its next slot and never fires slots from before. Slots missed while no scheduler ran are caught up with
 * one run (the latest slot), not one per missed slot — a data engineer wants fresh data once, not a burst.
 */
public final class FirePlan {

    private FirePlan() {
    }

    /** The slot to fire at {@code now}, if one is due after {@code lastSlot}. */
    public static Optional<Instant> due(Schedule schedule, Instant lastSlot, Instant now) {
        return schedule.latestSlotAtOrBefore(now).filter(slot -> slot.isAfter(lastSlot));
    }

    /** When to look again: the next slot after {@code now}, if the schedule has one. */
    public static Optional<Instant> nextCheck(Schedule schedule, Instant now) {
        return schedule.nextSlotAfter(now);
    }
}
