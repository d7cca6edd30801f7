package dev.eddy.delivery.messaging;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.ChangeBatch;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.kafka.ConsumerLoop;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.delivery.service.ChangeDelivery;
import dev.eddy.delivery.service.RunTracker;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Consumes the change sets on {@link Topics#CHANGES} (group {@value #GROUP}) and hands each batch to delivery. A
 * change batch that fails permanently is dead-lettered and ends its run {@code failed} naming the reason: a ROWS
 * batch marks the run's delivery fatal (its later batches are not sent, and the END's result carries the reason, on
 * which diff-service ends the run with its counts: one terminal event); a dead-lettered END publishes the run's
 * terminal event here, since no END result will follow.
 */
@ApplicationScoped
public class ChangeConsumer {

    public static final String GROUP = "eddy-delivery";
    private static final Logger LOG = Logger.getLogger(ChangeConsumer.class);

    private final ChangeDelivery delivery;
    private final RunTracker runs;
    private final EventPublisher publisher;
    private final String bootstrapServers;
    private final Optional<String> registryUrl;
    private volatile ConsumerLoop<ChangeBatch> loop;

    public ChangeConsumer(ChangeDelivery delivery, RunTracker runs, EventPublisher publisher,
                          @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                          @ConfigProperty(name = "apicurio.registry.url") Optional<String> registryUrl) {
        this.delivery = delivery;
        this.runs = runs;
        this.publisher = publisher;
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
    }

    void start(@Observes StartupEvent event) {
        loop = new ConsumerLoop<ChangeBatch>("delivery-changes",
                KafkaSettings.consumer(bootstrapServers, registryUrl, GROUP), List.of(Topics.CHANGES),
                new ConsumerLoop.Handler<>() {
                    @Override
                    public void handle(ConsumerRecord<String, ChangeBatch> record) {
                        if (record.value() != null) {
                            delivery.handle(record.value());
                        }
                    }

                    @Override
                    public void settle() {
                        // the batches' results went out without waiting: they must be on the topic before the commit
                        delivery.settle();
                    }

                    @Override
                    public void deadLettered(ConsumerRecord<String, ChangeBatch> record, Throwable cause) {
                        runFailed(record, cause);
                    }
                }, publisher).start();
        LOG.infof("Consuming %s as group %s", Topics.CHANGES, GROUP);
    }

    void runFailed(ConsumerRecord<String, ChangeBatch> record, Throwable cause) {
        ChangeBatch batch = record.value();
        if (batch == null) {
            LOG.errorf("an undecodable change batch is dead-lettered; its run is not known here (%s partition %d offset %d)",
                    record.topic(), record.partition(), record.offset());
            return;
        }
        boolean end = batch.getKind() == BatchKind.END;
        String error = ConsumerLoop.deadLetterError(DeliveryEvents.PRODUCER,
                (end ? "the END of the change set" : "change batch " + batch.getSeq()) + " of run " + batch.getRunId(),
                record, cause);
        if (!end) {
            if (runs.run(batch.getRunId()).markFatal(error)) {
                LOG.errorf("sync %s run %s: %s; its later batches are not sent", batch.getSyncId(), batch.getRunId(), error);
            }
            return;
        }
        Instant now = Instant.now();
        publisher.sendAndWait(Topics.RUN_EVENTS, batch.getSyncId(), RunEvent.newBuilder()
                .setRunId(batch.getRunId()).setSyncId(batch.getSyncId()).setStatus(RunStatus.failed).setTerminal(true)
                .setProducer(DeliveryEvents.PRODUCER).setAt(now).setFinishedAt(now)
                .setPlannedRows(batch.getPlanned())
                .setError(error).setErrorCode(ConsumerLoop.DEAD_LETTERED)
                .setFullResync(batch.getFullResync()).build());
        LOG.errorf("sync %s run %s ended failed: %s", batch.getSyncId(), batch.getRunId(), error);
    }

    void stop(@Observes ShutdownEvent event) {
        ConsumerLoop<ChangeBatch> current = loop;
        if (current != null) {
            current.close();
        }
    }

    /** True while the consumer runs and has joined its group. */
    public boolean isHealthy() {
        ConsumerLoop<ChangeBatch> current = loop;
        return current != null && current.isHealthy();
    }

    /** False once the consumer stopped on a failure it cannot recover from (true before it starts). */
    public boolean isAlive() {
        ConsumerLoop<ChangeBatch> current = loop;
        return current == null || current.isAlive();
    }

    /** Why the consumer stopped, when it stopped on a failure it cannot recover from. */
    public Optional<String> failure() {
        ConsumerLoop<ChangeBatch> current = loop;
        return current == null ? Optional.empty() : current.failure();
    }
}
