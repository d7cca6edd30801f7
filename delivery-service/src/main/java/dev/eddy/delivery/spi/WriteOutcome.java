package dev.eddy.delivery.spi;

/**
 * What a destination did with one row of a write.
 *
 * @param groupRejection for a rejection only: true when the destination refused a request or statement that carried
 *                       this row together with others, so the row itself may be good (see {@link #rejectedAsGroup})
 */
public record WriteOutcome(Status status, String reason, boolean groupRejection) {

    /** Accepted: the destination took the row. Rejected: refused for good. Retriable: failed for a passing reason. */
    public enum Status { ACCEPTED, REJECTED, RETRIABLE }

    private static final WriteOutcome ACCEPTED = new WriteOutcome(Status.ACCEPTED, null, false);

    public WriteOutcome(Status status, String reason) {
        this(status, reason, false);
    }

    public static WriteOutcome accepted() {
        return ACCEPTED;
    }

    /** The destination refused this very row (its own request, statement or per-row answer). */
    public static WriteOutcome rejected(String reason) {
        return new WriteOutcome(Status.REJECTED, reason, false);
    }

    /**
     * The destination refused the request or statement that carried this row with others (a webhook batch, a batched
     * http request, one SQL statement): the runtime writes the group's rows again in smaller parts to find the
     * rows at fault, so the good ones still land. A group of one row is a plain rejection.
     */
    public static WriteOutcome rejectedAsGroup(String reason) {
        return new WriteOutcome(Status.REJECTED, reason, true);
    }

    public static WriteOutcome retriable(String reason) {
        return new WriteOutcome(Status.RETRIABLE, reason, false);
    }
}
