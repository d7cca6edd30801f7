package dev.eddy.diff.service;

import dev.eddy.contracts.avro.RunStatus;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RunVerdictTest {

    @Test
    void runWithoutFailedRowsSucceeds() {
        assertEquals(RunStatus.success, RunVerdict.terminalStatus(null, RowCounts.ZERO));
    }

    @Test
    void anyFailedOrRejectedRowMakesAWarning() {
        assertEquals(RunStatus.warning, RunVerdict.terminalStatus(null, new RowCounts(0, 0, 1)));
    }

    @Test
    void fatalErrorFailsTheRun() {
        assertEquals(RunStatus.failed, RunVerdict.terminalStatus("unreachable", RowCounts.ZERO));
    }

    @Test
    void completionRatioOfAnEmptyPlanIsOne() {
        assertEquals(1.0, RunVerdict.completionRatio(0, 0));
        assertEquals(0.5, RunVerdict.completionRatio(4, 2));
    }

    @Test
    void duplicateKeyMessageNamesTheColumnAndAtMostFiveValues() {
        String message = RunVerdict.duplicateKeyMessage("id", List.of("1", "2", "3", "4", "5", "6"), 9);
        assertEquals("The primary key column \"id\" is not unique in the query result: duplicate values "
                + "\"1\", \"2\", \"3\", \"4\", \"5\" (9 duplicate rows in all)", message);
    }

    @Test
    void rowCountsAddUpPerOp() {
        RowCounts counts = RowCounts.ZERO.plus(dev.eddy.contracts.avro.ChangeOp.ADDED, 2)
                .plus(dev.eddy.contracts.avro.ChangeOp.REMOVED, 1).plus(new RowCounts(1, 1, 1));
        assertEquals(new RowCounts(3, 1, 2), counts);
        assertEquals(6, counts.total());
    }
}
