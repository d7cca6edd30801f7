package dev.eddy.diff.service;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.text.SafeText;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Ends a run: publishes its one terminal {@link RunEvent} and records it finished (in the caller's
 * transaction, after the broker acknowledged), so a replay finds it finished and publishes nothing.
 */
@ApplicationScoped
public class RunFinisher {

    static final String PRODUCER = "diff-service";
    private static final Logger LOG = Logger.getLogger(RunFinisher.class);

    private final EventPublisher publisher;
    private final RunStore runs;

    public RunFinisher(EventPublisher publisher, RunStore runs) {
        this.publisher = publisher;
        this.runs = runs;
    }

    /** The figures a run ends with. */
    public record Outcome(RunStatus status, Long querySize, RowCounts planned, long unsent, RowCounts ok,
                          RowCounts failed, String error, String errorCode) {

        public static Outcome failure(Long querySize, String error, String errorCode) {
            return new Outcome(RunStatus.failed, querySize, RowCounts.ZERO, 0, RowCounts.ZERO, RowCounts.ZERO,
                    error, errorCode);
        }
    }

    public void finish(Connection c, Run run, Outcome outcome) throws SQLException {
        Instant now = Instant.now();
        // whatever bytes a destination or warehouse answered: the event and the row must both take the text
        String error = SafeText.forStorage(outcome.error(), SafeText.ERROR_MAX_CHARS);
        double ratio = RunVerdict.completionRatio(outcome.planned().total(),
                outcome.ok().total() + outcome.failed().total() + outcome.unsent());
        RunEvent event = RunEvent.newBuilder()
                .setRunId(run.runId())
                .setSyncId(run.syncId())
                .setStatus(outcome.status())
                .setTerminal(true)
                .setProducer(PRODUCER)
                .setAt(now)
                .setStartedAt(run.startedAt())
                .setFinishedAt(now)
                .setQuerySize(outcome.querySize())
                .setPlannedRows(outcome.planned().toAvro())
                .setSuccessfulRows(outcome.ok().toAvro())
                .setFailedRows(outcome.failed().toAvro())
                .setCompletionRatio(ratio)
                .setError(error)
                .setErrorCode(outcome.errorCode())
                .setFullResync(run.fullResync())
                .build();
        publisher.sendAndWait(Topics.RUN_EVENTS, run.syncId(), event);
        runs.finish(c, run, outcome.status().name(), outcome.querySize(), outcome.planned(), outcome.ok(),
                outcome.failed(), error, outcome.errorCode(), now);
        LOG.infof("sync %s run %s ended %s: planned %d, successful %d, failed %d%s", run.syncId(), run.runId(),
                outcome.status(), outcome.planned().total(), outcome.ok().total(), outcome.failed().total(),
                outcome.errorCode() == null ? "" : " (" + outcome.errorCode() + ")");
    }

    /** Publishes a {@code processing} progress event with the planned counts (null while they are not known yet). */
    public void processing(Run run, Long querySize, RowCounts planned) {
        Instant now = Instant.now();
        publisher.sendAndWait(Topics.RUN_EVENTS, run.syncId(), RunEvent.newBuilder()
                .setRunId(run.runId())
                .setSyncId(run.syncId())
                .setStatus(RunStatus.processing)
                .setTerminal(false)
                .setProducer(PRODUCER)
                .setAt(now)
                .setStartedAt(run.startedAt())
                .setQuerySize(querySize)
                .setPlannedRows(planned == null ? null : planned.toAvro())
                .setFullResync(run.fullResync())
                .build());
    }
}
