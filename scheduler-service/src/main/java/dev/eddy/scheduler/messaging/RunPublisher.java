package dev.eddy.scheduler.messaging;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.avro.TriggerEvent;
import dev.eddy.contracts.kafka.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;

/** Publishes what the scheduler decides (run requests, and terminal events of runs it ends itself), waiting for the broker's ack. */
@ApplicationScoped
public class RunPublisher {

    /** The {@code producer} of the run events this service publishes. */
    public static final String PRODUCER = "scheduler-service";

    private final EventPublisher publisher;

    public RunPublisher(EventPublisher publisher) {
        this.publisher = publisher;
    }

    public void runRequest(RunRequest request) {
        publisher.sendAndWait(Topics.RUN_REQUESTS, request.getSyncId(), request);
    }

    /** Announces a run the scheduler allocated itself (schedule, dbt Cloud, Fivetran, sequence), so the run history shows it queued. */
    public void queued(String syncId, String runId, boolean fullResync, String trigger, Instant now) {
        publisher.sendAndWait(Topics.RUN_EVENTS, syncId, RunEvent.newBuilder()
                .setRunId(runId).setSyncId(syncId).setStatus(RunStatus.queued).setTerminal(false)
                .setProducer(PRODUCER).setAt(now).setFullResync(fullResync).setTrigger(trigger).build());
    }

    /**
     * Announces that the gate released the run to the workers: {@code querying}, started now. Published before the
     * run request, so every worker event of the run follows it; config-service then no longer counts the run as the
     * sync's queued one, and a trigger arriving before the extractor reports queues a new follow-up.
     */
    public void released(String syncId, String runId, boolean fullResync, String trigger, Instant now) {
        publisher.sendAndWait(Topics.RUN_EVENTS, syncId, RunEvent.newBuilder()
                .setRunId(runId).setSyncId(syncId).setStatus(RunStatus.querying).setTerminal(false)
                .setProducer(PRODUCER).setAt(now).setStartedAt(now).setFullResync(fullResync).setTrigger(trigger).build());
    }

    /** Ends a run that stopped reporting (its worker was restarted or lost it): the one terminal event, {@code interrupted}. */
    public void interrupted(String syncId, String runId, String error, Instant now) {
        publisher.sendAndWait(Topics.RUN_EVENTS, syncId, RunEvent.newBuilder()
                .setRunId(runId).setSyncId(syncId).setStatus(RunStatus.interrupted).setTerminal(true)
                .setProducer(PRODUCER).setAt(now).setFinishedAt(now).setError(error).setErrorCode("RUN_INTERRUPTED")
                .build());
    }

    /** Ends a run that made no progress for its progress deadline: the one terminal event, {@code failed}. */
    public void progressDeadlineMissed(String syncId, String runId, String error, Instant now) {
        publisher.sendAndWait(Topics.RUN_EVENTS, syncId, RunEvent.newBuilder()
                .setRunId(runId).setSyncId(syncId).setStatus(RunStatus.failed).setTerminal(true)
                .setProducer(PRODUCER).setAt(now).setFinishedAt(now).setError(error).setErrorCode("RUN_PROGRESS_DEADLINE")
                .build());
    }

    /** Sends a trigger without waiting; the caller waits on the returned futures (one flush for many). */
    public java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> trigger(TriggerEvent trigger, String key) {
        return publisher.send(Topics.TRIGGERS, key, trigger);
    }

    /** Publishes a trigger and waits for the broker's ack. */
    public void triggerAndWait(TriggerEvent trigger, String key) {
        publisher.sendAndWait(Topics.TRIGGERS, key, trigger);
    }

    /** Publishes the run's one terminal event, ended by the scheduler before it ever ran. */
    public void endedBeforeStart(String syncId, String runId, RunStatus status, String error, String errorCode,
                                 boolean fullResync, String trigger, Instant now) {
        RunEvent event = RunEvent.newBuilder()
                .setRunId(runId)
                .setSyncId(syncId)
                .setStatus(status)
                .setTerminal(true)
                .setProducer(PRODUCER)
                .setAt(now)
                .setFinishedAt(now)
                .setError(error)
                .setErrorCode(errorCode)
                .setFullResync(fullResync)
                .setTrigger(trigger)
                .build();
        publisher.sendAndWait(Topics.RUN_EVENTS, syncId, event);
    }
}
