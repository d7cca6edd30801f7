package dev.eddy.extractor.messaging;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.kafka.ConsumerLoop;
import dev.eddy.contracts.kafka.EventPublisher;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;

/**
 * The consumer of {@code eddy.run-requests.v1} (group {@code eddy-extractor}): started with the app, stopped before it.
 * A run request that fails permanently is dead-lettered and its run ended {@code failed} here (so the scheduler frees
 * the sync).
 */
@ApplicationScoped
public class RunRequestConsumer {

    private static final Logger LOG = Logger.getLogger(RunRequestConsumer.class);

    private final KafkaClients clients;
    private final RunRequestHandler handler;
    private final EventPublisher publisher;
    private volatile ConsumerLoop<RunRequest> loop;

    public RunRequestConsumer(KafkaClients clients, RunRequestHandler handler, EventPublisher publisher) {
        this.clients = clients;
        this.handler = handler;
        this.publisher = publisher;
    }

    void start(@Observes StartupEvent event) {
        loop = new ConsumerLoop<RunRequest>("extractor-run-requests", clients.runRequestConsumer(),
                List.of(Topics.RUN_REQUESTS), new ConsumerLoop.Handler<>() {
                    @Override
                    public void handle(ConsumerRecord<String, RunRequest> record) {
                        handler.handle(record);
                    }

                    @Override
                    public void deadLettered(ConsumerRecord<String, RunRequest> record, Throwable cause) {
                        runFailed(record, cause);
                    }
                }, publisher).start();
    }

    /** Ends the run of a dead-lettered run request: its one terminal event, {@code failed}, naming the reason. */
    void runFailed(ConsumerRecord<String, RunRequest> record, Throwable cause) {
        RunRequest request = record.value();
        if (request == null) {
            LOG.errorf("an undecodable run request is dead-lettered; its run is not known here (%s partition %d offset %d)",
                    record.topic(), record.partition(), record.offset());
            return;
        }
        Instant now = Instant.now();
        String error = ConsumerLoop.deadLetterError(RunRequestHandler.PRODUCER,
                "the run request of run " + request.getRunId(), record, cause);
        publisher.sendAndWait(Topics.RUN_EVENTS, request.getSyncId(), RunEvent.newBuilder()
                .setRunId(request.getRunId())
                .setSyncId(request.getSyncId())
                .setStatus(RunStatus.failed)
                .setTerminal(true)
                .setProducer(RunRequestHandler.PRODUCER)
                .setAt(now)
                .setFinishedAt(now)
                .setError(error)
                .setErrorCode(ConsumerLoop.DEAD_LETTERED)
                .setFullResync(request.getFullResync())
                .setTrigger(request.getTrigger())
                .build());
        LOG.errorf("sync %s run %s ended failed: %s", request.getSyncId(), request.getRunId(), error);
    }

    void stop(@Observes ShutdownEvent event) {
        ConsumerLoop<RunRequest> current = loop;
        if (current != null) {
            current.close();
        }
    }

    /** True while the consumer runs and has joined its group. */
    public boolean isHealthy() {
        ConsumerLoop<RunRequest> current = loop;
        return current != null && current.isHealthy();
    }

    /** False once the consumer stopped on a failure it cannot recover from (true before it starts). */
    public boolean isAlive() {
        ConsumerLoop<RunRequest> current = loop;
        return current == null || current.isAlive();
    }
}
