package dev.eddy.delivery.spi;

/** What a destination did with one row of a write. */
public record WriteOutcome(Status status, String reason) {

    /** Accepted: the destination took the row. Rejected: refused for good. Retriable: failed for a passing reason. */
    public enum Status { ACCEPTED, REJECTED, RETRIABLE }

    private static final WriteOutcome ACCEPTED = new WriteOutcome(Status.ACCEPTED, null);

    public static WriteOutcome accepted() {
        return ACCEPTED;
    }

    public static WriteOutcome rejected(String reason) {
        return new WriteOutcome(Status.REJECTED, reason);
    }

    public static WriteOutcome retriable(String reason) {
        return new WriteOutcome(Status.RETRIABLE, reason);
    }
}
