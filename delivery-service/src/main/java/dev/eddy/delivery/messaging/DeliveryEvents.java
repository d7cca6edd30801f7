package dev.eddy.delivery.messaging;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.DeliveryResult;
import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.delivery.config.DeliveryConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.avro.specific.SpecificRecord;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * Publishes delivery's events: per-batch results, the END of a run's delivery, and run progress.
 * Batch results and progress go out without waiting for the broker, so the next batch's request is on its way
 * while they are acknowledged; at most {@code eddy.delivery.unacknowledged-events} stay unacknowledged.
 * {@link #awaitPublished()} must succeed before the offsets of the batches they report are committed.
 */
@ApplicationScoped
public class DeliveryEvents {

    /** The {@code producer} of delivery's run events. */
    public static final String PRODUCER = "delivery-service";

    private final EventPublisher publisher;
    private final PublicationWindow window;

    public DeliveryEvents(EventPublisher publisher, DeliveryConfig config) {
        this.publisher = publisher;
        this.window = new PublicationWindow(config.delivery().unacknowledgedEvents());
    }

    /** The outcomes of change batch {@code seq}; acknowledged by the time {@link #awaitPublished()} returns. */
    public void batchDelivered(String syncId, String runId, int seq, List<RowOutcome> outcomes) {
        window.add(send(Topics.DELIVERY_RESULTS, syncId, DeliveryResult.newBuilder()
                .setRunId(runId).setSyncId(syncId).setSeq(seq).setKind(BatchKind.ROWS)
                .setOutcomes(outcomes).setFatalError(null).build()));
    }

    /**
     * The end of a run's delivery, with the fatal error that stopped it, if any. Waits first for every event sent
     * before (so the run's results and progress are on their topics before its END), then for the END itself.
     */
    public void runDelivered(String syncId, String runId, int seq, String fatalError) {
        awaitPublished();
        publisher.sendAndWait(Topics.DELIVERY_RESULTS, syncId, DeliveryResult.newBuilder()
                .setRunId(runId).setSyncId(syncId).setSeq(seq).setKind(BatchKind.END)
                .setOutcomes(List.of()).setFatalError(fatalError).build());
    }

    /**
     * A {@code processing} progress event; acknowledged by the time {@link #awaitPublished()} returns, hence
     * before the run's END result and its terminal event.
     *
     * @param completionRatio null when the planned row count is not known
     */
    public void progress(String syncId, String runId, Double completionRatio, Instant at) {
        window.add(send(Topics.RUN_EVENTS, syncId, RunEvent.newBuilder()
                .setRunId(runId).setSyncId(syncId).setStatus(RunStatus.processing).setTerminal(false)
                .setProducer(PRODUCER).setAt(at).setCompletionRatio(completionRatio).build()));
    }

    /**
     * Waits until the broker acknowledged every batch result and progress event sent so far.
     *
     * @throws UnconfirmedPublicationException when the broker refused one or did not answer in time, so the
     *                                         batches it reports must be delivered and reported again
     */
    public void awaitPublished() {
        window.awaitAll();
    }

    private Future<?> send(String topic, String key, SpecificRecord event) {
        try {
            return publisher.send(topic, key, event);
        } catch (RuntimeException e) {
            // the producer refused it before sending (serialization, closed producer): as good as refused by the broker
            return CompletableFuture.failedFuture(e);
        }
    }
}
