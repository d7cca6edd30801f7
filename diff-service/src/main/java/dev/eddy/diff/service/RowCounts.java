package dev.eddy.diff.service;

import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.avro.Counts;

/** Row counts per op, Hightouch's added / changed / removed shape. */
public record RowCounts(long added, long changed, long removed) {

    public static final RowCounts ZERO = new RowCounts(0, 0, 0);

    public long total() {
        return added + changed + removed;
    }

    public RowCounts plus(ChangeOp op, long n) {
        return switch (op) {
            case ADDED -> new RowCounts(added + n, changed, removed);
            case CHANGED -> new RowCounts(added, changed + n, removed);
            case REMOVED -> new RowCounts(added, changed, removed + n);
        };
    }

    public RowCounts plus(RowCounts other) {
        return new RowCounts(added + other.added, changed + other.changed, removed + other.removed);
    }

    public Counts toAvro() {
        return Counts.newBuilder().setAddedCount(added).setChangedCount(changed).setRemovedCount(removed).build();
    }
}
