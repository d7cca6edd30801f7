package dev.eddy.config.service;

import dev.eddy.config.domain.RowCounts;
import dev.eddy.config.domain.Run;
import dev.eddy.contracts.avro.Counts;
import dev.eddy.contracts.avro.RunEvent;

import java.util.Optional;

/**
 * Folds a {@link RunEvent} into the run history's record of its run: fields are set only when the event
 * carries them, and a run that reached a terminal status ignores every later event (its first end counts), except the
 * sync-logs event ({@code syncLogsError}): the run's warehouse sync logs could not be written, so a successful run
 * becomes a warning (a warning or a failure keeps its status) and the reason joins the run's error. The extractor
 * publishes that event after it read the run's terminal event from the same partition (key: the sync id), so it
 * follows the terminal event here too.
 */
public final class RunEventMerge {

    private RunEventMerge() {
    }

    /** The run after the event; {@code existing} is empty for a run config-service has not seen (e.g. scheduled). */
    public static Run merge(Optional<Run> existing, RunEvent event) {
        if (event.getSyncLogsError() != null) {
            return syncLogsFailed(existing.orElseGet(() -> new Run(Long.parseLong(event.getRunId()), Long.parseLong(event.getSyncId()),
                    event.getStatus().name(), event.getAt(), null, null, null, null, null, null, null, null, null, false, null)),
                    event.getSyncLogsError());
        }
        String status = event.getStatus().name();
        if (existing.isEmpty()) {
            return apply(new Run(Long.parseLong(event.getRunId()), Long.parseLong(event.getSyncId()), status, event.getAt(),
                    null, null, null, null, null, null, null, null, null, event.getFullResync(), event.getTrigger()), event, status);
        }
        Run run = existing.get();
        if (run.isTerminal()) {
            // the first end counts: a later one (a worker finishing a run the scheduler's progress deadline, or this
            // service, already ended) must not rewrite what the scheduler and the sequences acted on
            return run;
        }
        return apply(run, event, status);
    }

    private static Run apply(Run r, RunEvent e, String status) {
        return new Run(r.id(), r.syncId(), status, r.createdAt(),
                e.getStartedAt() != null ? e.getStartedAt() : r.startedAt(),
                e.getFinishedAt() != null ? e.getFinishedAt() : r.finishedAt(),
                e.getQuerySize() != null ? e.getQuerySize() : r.querySize(),
                e.getPlannedRows() != null ? counts(e.getPlannedRows()) : r.plannedRows(),
                e.getSuccessfulRows() != null ? counts(e.getSuccessfulRows()) : r.successfulRows(),
                e.getFailedRows() != null ? counts(e.getFailedRows()) : r.failedRows(),
                e.getCompletionRatio() != null ? e.getCompletionRatio() : r.completionRatio(),
                e.getError() != null ? e.getError() : r.error(),
                e.getErrorCode() != null ? e.getErrorCode() : r.errorCode(),
                r.fullResync() || e.getFullResync(),
                r.trigger() != null ? r.trigger() : e.getTrigger());
    }

    /** Idempotent: replaying the event leaves one copy of the reason. */
    private static Run syncLogsFailed(Run r, String reason) {
        String error = r.error() == null || r.error().isBlank() ? reason
                : r.error().contains(reason) ? r.error() : r.error() + "\n" + reason;
        String status = "success".equals(r.status()) ? "warning" : r.status();
        return new Run(r.id(), r.syncId(), status, r.createdAt(), r.startedAt(), r.finishedAt(), r.querySize(), r.plannedRows(),
                r.successfulRows(), r.failedRows(), r.completionRatio(), error, r.errorCode(), r.fullResync(), r.trigger());
    }

    private static RowCounts counts(Counts c) {
        return new RowCounts(c.getAddedCount(), c.getChangedCount(), c.getRemovedCount());
    }
}
