package dev.eddy.extractor.synclogs;

/**
 * One row of a run as the audit tables record it.
 *
 * @param opType        {@code added}, {@code changed} or {@code removed}
 * @param status        {@code succeeded}, {@code failed} or {@code aborted}
 * @param fieldsJson    the row as the model returned it (JSON object), null for a removal
 */
public record RowLog(String rowId, String opType, String status, String failureReason, String fieldsJson) {
}
