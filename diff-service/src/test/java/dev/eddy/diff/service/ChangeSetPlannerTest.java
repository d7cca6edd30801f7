package dev.eddy.diff.service;

import dev.eddy.contracts.avro.ChangeOp;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ChangeSetPlannerTest {

    private static final byte[] A = {1, 2, 3};
    private static final byte[] B = {1, 2, 4};

    private static ChangeSetPlanner planner(String mode, String type, String deletes, boolean fullResync) {
        return new ChangeSetPlanner(mode, type, deletes, fullResync);
    }

    @Test
    void neverDeliveredKeyIsAddedAndDifferentHashIsChangedInUpsertMode() {
        ChangeSetPlanner upsert = planner("upsert", "object", "delete", false);
        assertEquals(Optional.of(ChangeOp.ADDED), upsert.planRow(A, null));
        assertEquals(Optional.of(ChangeOp.CHANGED), upsert.planRow(B, A));
        assertEquals(Optional.empty(), upsert.planRow(A, A.clone()));
    }

    @Test
    void insertModeSendsOnlyNeverDeliveredKeys() {
        ChangeSetPlanner insert = planner("insert", "object", "delete", false);
        assertEquals(Optional.of(ChangeOp.ADDED), insert.planRow(A, null));
        assertEquals(Optional.empty(), insert.planRow(B, A));
    }

    @Test
    void updateModeSendsOnlyDeliveredKeys() {
        ChangeSetPlanner update = planner("update", "object", "delete", false);
        assertEquals(Optional.empty(), update.planRow(A, null));
        assertEquals(Optional.of(ChangeOp.CHANGED), update.planRow(B, A));
    }

    @Test
    void fullResyncAddsEveryRowAndPlansNoRemoval() {
        ChangeSetPlanner resync = planner("update", "object", "delete", true);
        assertEquals(Optional.of(ChangeOp.ADDED), resync.planRow(A, A));
        assertEquals(Optional.of(ChangeOp.ADDED), resync.planRow(A, null));
        assertEquals(ChangeSetPlanner.Removals.NONE, resync.removals());
        assertEquals(false, resync.needsSnapshot());
    }

    @Test
    void eventSyncSendsOnlyNeverDeliveredKeysAndNoRemovals() {
        ChangeSetPlanner events = planner("upsert", "event", "delete", false);
        assertEquals(Optional.of(ChangeOp.ADDED), events.planRow(A, null));
        assertEquals(Optional.empty(), events.planRow(B, A));
        assertEquals(ChangeSetPlanner.Removals.NONE, events.removals());
    }

    @Test
    void deleteBehaviourDecidesHowRemovalsAreHandled() {
        assertEquals(ChangeSetPlanner.Removals.SEND_REMOVED, planner("upsert", "object", "delete", false).removals());
        assertEquals(ChangeSetPlanner.Removals.SEND_CLEARED, planner("upsert", "object", "clear_fields", false).removals());
        assertEquals(ChangeSetPlanner.Removals.COUNT_ONLY, planner("upsert", "object", "do_nothing", false).removals());
        assertEquals(ChangeSetPlanner.Removals.COUNT_ONLY, planner(null, null, null, false).removals());
    }

    @Test
    void clearedRowNullsEveryMappedColumnButTheKey() {
        assertEquals("{\"email\":null,\"plan\":null}",
                ChangeSetPlanner.clearedFields("id", List.of("id", "email", "plan"), List.of("id", "email", "plan", "ltv")));
    }

    @Test
    void clearedRowOfAWholeRowSyncNullsEveryResultColumnButTheKey() {
        assertEquals("{\"email\":null,\"ltv\":null}",
                ChangeSetPlanner.clearedFields("id", List.of(), List.of("id", "email", "ltv")));
    }
}
