package dev.eddy.delivery.messaging;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.DeliveryResult;
import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.kafka.EventPublisher;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;

/** Publishes delivery's events: per-batch results, the END of a run's delivery, and run progress. */
@ApplicationScoped
public class DeliveryEvents {

    /** The {@code producer} of delivery's run events. */
    public static final String PRODUCER = "delivery-service";

    private final EventPublisher publisher;

    public DeliveryEvents(EventPublisher publisher) {
        this.publisher = publisher;
    }

    /** The outcomes of change batch {@code seq}; waits for the broker, so the batch's offset may be committed after. */
    public void batchDelivered(String syncId, String runId, int seq, List<RowOutcome> outcomes) {
        publisher.sendAndWait(Topics.DELIVERY_RESULTS, syncId, DeliveryResult.newBuilder()
                .setRunId(runId).setSyncId(syncId).setSeq(seq).setKind(BatchKind.ROWS)
                .setOutcomes(outcomes).setFatalError(null).build());
    }

    /** The end of a run's delivery, with the fatal error that stopped it, if any; waits for the broker. */
    public void runDelivered(String syncId, String runId, int seq, String fatalError) {
        publisher.sendAndWait(Topics.DELIVERY_RESULTS, syncId, DeliveryResult.newBuilder()
                .setRunId(runId).setSyncId(syncId).setSeq(seq).setKind(BatchKind.END)
                .setOutcomes(List.of()).setFatalError(fatalError).build());
    }

    /**
     * A {@code processing} progress event; waits for the broker, so it is on the topic before the run's END
     * result and hence before the run's terminal event.
     *
     * @param completionRatio null when the planned row count is not known
     */
    public void progress(String syncId, String runId, Double completionRatio, Instant at) {
        publisher.sendAndWait(Topics.RUN_EVENTS, syncId, RunEvent.newBuilder()
                .setRunId(runId).setSyncId(syncId).setStatus(RunStatus.processing).setTerminal(false)
                .setProducer(PRODUCER).setAt(at).setCompletionRatio(completionRatio).build());
    }
}
