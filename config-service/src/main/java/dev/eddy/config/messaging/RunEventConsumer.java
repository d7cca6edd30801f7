package dev.eddy.config.messaging;

import dev.eddy.config.config.KafkaClients;
import dev.eddy.config.domain.Run;
import dev.eddy.config.service.RunHistory;
import dev.eddy.config.service.SequenceRunner;
import dev.eddy.config.store.ConfigSchema;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.kafka.ConsumerLoop;
import dev.eddy.contracts.kafka.EventPublisher;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.util.List;

/** Consumes {@code eddy.run-events.v1} (group {@code eddy-config}) into the run history. */
@ApplicationScoped
public class RunEventConsumer {

    private static final Logger LOG = Logger.getLogger(RunEventConsumer.class);

    private final KafkaClients kafka;
    private final EventPublisher deadLetters;
    private final RunHistory history;
    private final SequenceRunner sequences;
    private volatile ConsumerLoop<RunEvent> loop;

    public RunEventConsumer(KafkaClients kafka, EventPublisher deadLetters, RunHistory history, SequenceRunner sequences) {
        this.kafka = kafka;
        this.deadLetters = deadLetters;
        this.history = history;
        this.sequences = sequences;
    }

    void onStart(@Observes @Priority(ConfigSchema.STARTUP_PRIORITY + 20) StartupEvent event) {
        loop = new ConsumerLoop<>("config-run-events", kafka.consumerSettings(), List.of(Topics.RUN_EVENTS),
                this::handle, deadLetters).start();
    }

    // stop consuming before the datasource and the publisher go away
    void onStop(@Observes @Priority(1) ShutdownEvent event) {
        ConsumerLoop<RunEvent> current = loop;
        if (current != null) {
            current.close();
        }
    }

    /** True while the consumer runs and has joined its group. */
    public boolean isHealthy() {
        ConsumerLoop<RunEvent> current = loop;
        return current != null && current.isHealthy();
    }

    /** False once the consumer stopped on a failure it cannot recover from (true before it starts). */
    public boolean isAlive() {
        ConsumerLoop<RunEvent> current = loop;
        return current == null || current.isAlive();
    }

    private void handle(ConsumerRecord<String, RunEvent> record) {
        RunEvent event = record.value();
        if (event == null) {
            return;
        }
        MDC.put("syncId", event.getSyncId());
        MDC.put("runId", event.getRunId());
        try {
            if (!event.getRunId().matches("\\d{1,18}") || !event.getSyncId().matches("\\d{1,18}")) {
                LOG.warnf("run event from %s ignored: its run or sync id is not numeric", event.getProducer());
                return;
            }
            Run run = history.apply(event);
            LOG.debugf("run event %s from %s: run is %s", event.getStatus(), event.getProducer(), run.status());
            if (run.isTerminal() && event.getTerminal()) {
                LOG.infof("run ended %s", run.status());
                sequences.onSyncRunEnded(run.id());
            }
        } finally {
            MDC.remove("syncId");
            MDC.remove("runId");
        }
    }
}
