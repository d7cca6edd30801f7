package dev.eddy.diff.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.spec.SyncSpec;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The pure rules of change data capture for one run: which op a row gets against the snapshot of
 * delivered rows (mode, sync type, full resync) and how removals are handled (delete behaviour).
 */
public final class ChangeSetPlanner {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What happens to snapshot keys missing from the run's result. */
    public enum Removals {
        /** No removal is planned (full resync, event syncs). */
        NONE,
        /** Sent as {@code REMOVED}. */
        SEND_REMOVED,
        /** Sent as {@code CHANGED} with every mapped field null; committed as a removal. */
        SEND_CLEARED,
        /** Counted as planned removals, not sent; the keys leave the snapshot when the run finishes. */
        COUNT_ONLY
    }

    private final String mode;
    private final boolean eventSync;
    private final boolean fullResync;
    private final String deleteBehavior;

    public ChangeSetPlanner(String mode, String syncType, String deleteBehavior, boolean fullResync) {
        this.mode = mode == null ? "upsert" : mode;
        this.eventSync = "event".equals(syncType);
        this.deleteBehavior = deleteBehavior == null ? "do_nothing" : deleteBehavior;
        this.fullResync = fullResync;
    }

    public static ChangeSetPlanner forSpec(SyncSpec spec, boolean fullResync) {
        return new ChangeSetPlanner(spec.mode(), spec.syncType(), spec.deleteBehavior(), fullResync);
    }

    /**
     * The op of a current row, or empty when it is not sent.
     *
     * @param hash          the row's hash in this run
     * @param deliveredHash the snapshot's hash of the key, null when the key was never delivered
     */
    public Optional<ChangeOp> planRow(byte[] hash, byte[] deliveredHash) {
        if (fullResync) {
            return Optional.of(ChangeOp.ADDED);
        }
        if (deliveredHash == null) {
            return "update".equals(mode) && !eventSync ? Optional.empty() : Optional.of(ChangeOp.ADDED);
        }
        if (eventSync || "insert".equals(mode) || Arrays.equals(hash, deliveredHash)) {
            return Optional.empty();
        }
        return Optional.of(ChangeOp.CHANGED);
    }

    /** Whether the snapshot has to be read for this run (a full resync diffs against nothing). */
    public boolean needsSnapshot() {
        return !fullResync;
    }

    public Removals removals() {
        if (fullResync || eventSync) {
            return Removals.NONE;
        }
        return switch (deleteBehavior) {
            case "delete" -> Removals.SEND_REMOVED;
            case "clear_fields" -> Removals.SEND_CLEARED;
            default -> Removals.COUNT_ONLY;
        };
    }

    /**
     * The fields of a cleared row other than its key: every mapped column as null, or, when the sync
     * sends the whole row, every result column but the key.
     */
    public static String clearedFields(String keyColumn, List<String> mappedColumns, List<String> resultColumns) {
        List<String> columns = mappedColumns.isEmpty() && resultColumns != null ? resultColumns : mappedColumns;
        ObjectNode node = JSON.createObjectNode();
        for (String column : columns) {
            if (!column.equals(keyColumn)) {
                node.putNull(column);
            }
        }
        return node.toString();
    }
}
