package dev.eddy.extractor.synclogs;

import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.ChangeBatch;
import dev.eddy.contracts.avro.DeliveryResult;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.spec.SyncSpec;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Follows the runs of syncs that opted in to warehouse sync logs across the run's topics and says when a
 * run is complete enough to be written. Pure and single-threaded (one consumer thread owns it); runs of
 * syncs that did not opt in are never held.
 */
public final class SyncLogRecorder {

    /** Terminal events kept for runs not (yet) seen: events of different topics can be read out of order. */
    static final int RECENT_TERMINALS = 10_000;

    private final Map<String, RunLog> runs = new HashMap<>();
    private final Map<String, RunEvent> recentTerminals = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RunEvent> eldest) {
            return size() > RECENT_TERMINALS;
        }
    };

    /** A run starts: keep its spec when the sync opted in. @return the run when its terminal event was already read */
    public Optional<RunLog> onRunRequest(RunRequest request) {
        RunLog run = open(request.getSyncId(), request.getRunId(), request.getSpecJson());
        return run == null ? Optional.empty() : release(run);
    }

    /** @return the run when its terminal event was already read and nothing else is awaited */
    public Optional<RunLog> onChanges(ChangeBatch batch) {
        RunLog run = open(batch.getSyncId(), batch.getRunId(), batch.getSpecJson());
        if (run == null) {
            return Optional.empty();
        }
        if (batch.getKind() == BatchKind.ROWS) {
            run.addChanges(batch.getSeq(), batch.getChanges());
        }
        return release(run);
    }

    /** @return the run when this result completed it */
    public Optional<RunLog> onResult(DeliveryResult result) {
        RunLog run = runs.get(result.getRunId());
        if (run == null) {
            return Optional.empty();
        }
        if (result.getKind() == BatchKind.ROWS) {
            run.addOutcomes(result.getSeq(), result.getOutcomes());
        } else {
            run.deliveryEnded(result.getFatalError());
        }
        return release(run);
    }

    /** @return the run when this (terminal) event completed it */
    public Optional<RunLog> onRunEvent(RunEvent event) {
        if (!event.getTerminal()) {
            return Optional.empty();
        }
        RunLog run = runs.get(event.getRunId());
        if (run == null) {
            recentTerminals.put(event.getRunId(), event);
            return Optional.empty();
        }
        run.terminal(event);
        return release(run);
    }

    /** Gives up waiting for a run whose terminal event came but whose delivery end did not: writes what it has. */
    public Optional<RunLog> expire(String runId) {
        RunLog run = runs.get(runId);
        if (run == null || !run.hasTerminal()) {
            return Optional.empty();
        }
        return Optional.ofNullable(runs.remove(runId));
    }

    /** Runs being followed (for tests and metrics). */
    public int pending() {
        return runs.size();
    }

    private Optional<RunLog> release(RunLog run) {
        if (run.complete()) {
            runs.remove(run.runId());
            return Optional.of(run);
        }
        return Optional.empty();
    }

    private RunLog open(String syncId, String runId, String specJson) {
        RunLog existing = runs.get(runId);
        if (existing != null) {
            return existing;
        }
        SyncSpec spec = SyncSpec.fromJson(specJson);
        SyncLogSettings settings = SyncLogSettings.of(spec.configuration());
        if (!settings.any()) {
            return null;
        }
        RunLog run = new RunLog(syncId, runId, spec, settings);
        RunEvent terminal = recentTerminals.remove(runId);
        if (terminal != null) {
            run.terminal(terminal);
        }
        runs.put(runId, run);
        return run;
    }
}
