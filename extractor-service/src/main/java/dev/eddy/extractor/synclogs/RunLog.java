package dev.eddy.extractor.synclogs;

import dev.eddy.contracts.avro.Change;
import dev.eddy.contracts.avro.Counts;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.spec.SyncSpec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What one run of an opted-in sync has shown so far: its spec, its changes with their row data, each
 * row's delivery outcome and the terminal event. Not thread-safe: owned by the {@link SyncLogRecorder}.
 */
public final class RunLog {

    /** A planned change and, once delivered, its outcome. */
    private static final class Entry {
        final String op;
        final String data;
        OutcomeStatus status;
        String reason;

        Entry(String op, String data) {
            this.op = op;
            this.data = data;
        }
    }

    private final String syncId;
    private final String runId;
    private final SyncSpec spec;
    private final SyncLogSettings settings;
    private final Map<String, Entry> rows = new LinkedHashMap<>();
    private final Set<Integer> changeBatches = new HashSet<>();
    private final Set<Integer> resultBatches = new HashSet<>();
    private boolean deliveryEnded;
    private String fatalError;
    private RunEvent terminal;

    RunLog(String syncId, String runId, SyncSpec spec, SyncLogSettings settings) {
        this.syncId = syncId;
        this.runId = runId;
        this.spec = spec;
        this.settings = settings;
    }

    /** Idempotent per batch: a redelivered batch is ignored. */
    void addChanges(int seq, List<Change> changes) {
        if (!settings.rowLevel() || !changeBatches.add(seq)) {
            return;
        }
        for (Change change : changes) {
            rows.putIfAbsent(change.getPk(), new Entry(change.getOp().name().toLowerCase(Locale.ROOT), change.getData()));
        }
    }

    void addOutcomes(int seq, List<RowOutcome> outcomes) {
        if (!settings.rowLevel() || !resultBatches.add(seq)) {
            return;
        }
        for (RowOutcome outcome : outcomes) {
            Entry entry = rows.computeIfAbsent(outcome.getPk(), pk -> new Entry(outcome.getOp().name().toLowerCase(Locale.ROOT), null));
            entry.status = outcome.getStatus();
            entry.reason = outcome.getReason();
        }
    }

    void deliveryEnded(String fatalError) {
        this.deliveryEnded = true;
        this.fatalError = fatalError;
    }

    void terminal(RunEvent event) {
        this.terminal = event;
    }

    /**
     * Ready to write once the terminal event is in and, if rows were planned, the delivery's end too
     * (the terminal event follows it, but the two come from different topics and may be read out of order).
     */
    boolean complete() {
        return terminal != null && (planned(terminal.getPlannedRows()) == 0 || deliveryEnded || !settings.rowLevel());
    }

    boolean hasTerminal() {
        return terminal != null;
    }

    public String syncId() {
        return syncId;
    }

    public String runId() {
        return runId;
    }

    public SyncSpec spec() {
        return spec;
    }

    public SyncLogSettings settings() {
        return settings;
    }

    public RunEvent terminalEvent() {
        return terminal;
    }

    /**
     * Every planned row with its audit status: delivered rows {@code succeeded}; refused ones {@code failed};
     * rows never delivered because the run stopped (a fatal destination error, or no outcome at all)
     * {@code aborted}.
     */
    public List<RowLog> rows() {
        List<RowLog> out = new ArrayList<>(rows.size());
        for (Map.Entry<String, Entry> e : rows.entrySet()) {
            Entry entry = e.getValue();
            String status;
            String reason = entry.reason;
            if (entry.status == OutcomeStatus.ACCEPTED) {
                status = "succeeded";
            } else if (entry.status == OutcomeStatus.REJECTED) {
                status = "failed";
            } else if (entry.status == OutcomeStatus.FAILED) {
                status = fatalError != null ? "aborted" : "failed";
                reason = reason != null ? reason : fatalError;
            } else {
                status = "aborted";
                reason = reason != null ? reason : "the run ended before this row was delivered";
            }
            out.add(new RowLog(e.getKey(), entry.op, status, reason, entry.data));
        }
        return out;
    }

    /** The sync_runs row of this run. */
    public RunSummary summary() {
        RunEvent t = terminal;
        Counts planned = t.getPlannedRows();
        Counts ok = t.getSuccessfulRows();
        Counts bad = t.getFailedRows();
        SyncSpec.Model model = spec.model();
        SyncSpec.Connection destination = spec.destination();
        return new RunSummary(syncId, runId, model == null ? null : model.primaryKey(),
                destination == null ? null : destination.slug(), model == null ? null : model.name(), t.getError(),
                t.getStatus().name(), t.getStartedAt(), t.getFinishedAt() != null ? t.getFinishedAt() : t.getAt(),
                RunSummary.Counts.of(planned), RunSummary.Counts.of(ok), RunSummary.Counts.of(bad));
    }

    private static long planned(Counts c) {
        return c == null ? 0 : c.getAddedCount() + c.getChangedCount() + c.getRemovedCount();
    }
}
