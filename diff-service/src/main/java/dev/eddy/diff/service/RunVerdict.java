package dev.eddy.diff.service;

import dev.eddy.contracts.avro.RunStatus;

import java.util.List;

/** Pure rules for how a run ends: its terminal status and the failure messages the diff writes. */
public final class RunVerdict {

    /** Error code of a run whose result repeats a primary key. */
    public static final String NON_UNIQUE_PRIMARY_KEY = "NON_UNIQUE_PRIMARY_KEY";
    /** Error code of a run whose END marker counts row batches the diff never staged. */
    public static final String INCOMPLETE_EXTRACTION = "INCOMPLETE_EXTRACTION";
    /** How many missing batch numbers an incomplete-extraction message names. */
    public static final int MAX_MISSING_NAMED = 10;
    /** How many offending key values a duplicate-key message names. */
    public static final int MAX_DUPLICATES_NAMED = 5;

    private RunVerdict() {
    }

    /** {@code failed} on a fatal error, {@code warning} if any row was rejected or failed, else {@code success}. */
    public static RunStatus terminalStatus(String fatalError, RowCounts failed) {
        if (fatalError != null) {
            return RunStatus.failed;
        }
        return failed.total() > 0 ? RunStatus.warning : RunStatus.success;
    }

    /** Share of planned rows that have an outcome (sent and answered, or not to be sent). */
    public static double completionRatio(long planned, long processed) {
        return planned == 0 ? 1.0 : Math.min(1.0, (double) processed / planned);
    }

    public static String duplicateKeyMessage(String keyColumn, List<String> values, long duplicateCount) {
        StringBuilder message = new StringBuilder("The primary key column \"").append(keyColumn)
                .append("\" is not unique in the query result: duplicate values ");
        List<String> named = values.size() > MAX_DUPLICATES_NAMED ? values.subList(0, MAX_DUPLICATES_NAMED) : values;
        for (int i = 0; i < named.size(); i++) {
            message.append(i == 0 ? "" : ", ").append('"').append(named.get(i)).append('"');
        }
        if (duplicateCount > named.size()) {
            message.append(" (").append(duplicateCount).append(" duplicate rows in all)");
        }
        return message.toString();
    }

    /**
     * "batches 3, 7 of 12 of extraction attempt 2 never arrived; ..." naming up to {@link #MAX_MISSING_NAMED}
     * batch numbers, and the batches staged beyond the END marker's count, if any.
     */
    public static String incompleteExtractionMessage(List<Integer> missing, long missingCount, long beyond, int batches,
                                                     long attempt) {
        StringBuilder message = new StringBuilder();
        if (missingCount > 0) {
            message.append(missingCount == 1 ? "batch " : "batches ");
            for (int i = 0; i < missing.size(); i++) {
                message.append(i == 0 ? "" : ", ").append(missing.get(i));
            }
            if (missingCount > missing.size()) {
                message.append(" (").append(missingCount).append(" in all)");
            }
            message.append(" of ").append(batches).append(" of extraction attempt ").append(attempt)
                    .append(" never arrived");
        }
        if (beyond > 0) {
            message.append(message.isEmpty() ? "" : "; ").append(beyond).append(beyond == 1 ? " batch" : " batches")
                    .append(" beyond the ").append(batches).append(" the END marker of extraction attempt ")
                    .append(attempt).append(" counts arrived");
        }
        return message.append("; nothing was planned or sent, and the snapshot is unchanged: the next run extracts again")
                .toString();
    }
}
