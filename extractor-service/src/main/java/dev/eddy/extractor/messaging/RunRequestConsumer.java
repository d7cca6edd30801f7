package dev.eddy.extractor.messaging;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.kafka.ConsumerLoop;
import dev.eddy.contracts.kafka.EventPublisher;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;

/** The consumer of {@code eddy.run-requests.v1} (group {@code eddy-extractor}): started with the app, stopped before it. */
@ApplicationScoped
public class RunRequestConsumer {

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
                List.of(Topics.RUN_REQUESTS), handler::handle, publisher).start();
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
}
