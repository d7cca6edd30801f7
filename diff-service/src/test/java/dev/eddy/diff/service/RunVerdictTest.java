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

    @Test
    void incompleteExtractionNamesTheMissingBatchesTheirCountAndTheAttempt() {
        assertEquals("batches 3, 7 of 12 of extraction attempt 2 never arrived; nothing was planned or sent, and the"
                + " snapshot is unchanged: the next run extracts again",
                RunVerdict.incompleteExtractionMessage(List.of(3, 7), 2, 0, 12, 2));
        String many = RunVerdict.incompleteExtractionMessage(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), 40, 1, 50, 9);
        assertEquals(true, many.startsWith("batches 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 (40 in all) of 50 of extraction attempt 9"
                + " never arrived; 1 batch beyond the 50 the END marker of extraction attempt 9 counts arrived"), many);
    }
}
