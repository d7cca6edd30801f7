package dev.eddy.config.domain;

/** Hightouch's added / changed / removed row counts. */
public record RowCounts(long addedCount, long changedCount, long removedCount) {

    public static final RowCounts ZERO = new RowCounts(0, 0, 0);
}
