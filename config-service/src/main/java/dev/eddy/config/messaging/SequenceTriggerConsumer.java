package dev.eddy.config.messaging;

import dev.eddy.config.service.SequenceRunner;
import dev.eddy.config.service.UnknownObjectException;
import dev.eddy.config.store.ConfigSchema;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.TriggerEvent;
import dev.eddy.contracts.kafka.ConsumerLoop;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;

/**
 * Consumes {@link Topics#TRIGGERS} (group {@value #GROUP}) for triggers of whole sync sequences (a
 * {@code sequenceId} and no {@code syncId}: the scheduler's timers, or any producer) and starts the sequence
 * run; the trigger id makes a redelivery answer the run it already started. Sync triggers are the scheduler's.
 */
@ApplicationScoped
public class SequenceTriggerConsumer {

    public static final String GROUP = "eddy-config-sequences";
    private static final Logger LOG = Logger.getLogger(SequenceTriggerConsumer.class);

    private final SequenceRunner runner;
    private final EventPublisher deadLetters;
    private final String bootstrapServers;
    private final Optional<String> registryUrl;
    private volatile ConsumerLoop<TriggerEvent> loop;

    public SequenceTriggerConsumer(SequenceRunner runner, EventPublisher deadLetters,
                                   @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                                   @ConfigProperty(name = "apicurio.registry.url") Optional<String> registryUrl) {
        this.runner = runner;
        this.deadLetters = deadLetters;
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
    }

    void onStart(@Observes @Priority(ConfigSchema.STARTUP_PRIORITY + 30) StartupEvent event) {
        loop = new ConsumerLoop<>("config-sequence-triggers", KafkaSettings.consumer(bootstrapServers, registryUrl, GROUP),
                List.of(Topics.TRIGGERS), this::handle, deadLetters).start();
    }

    void onStop(@Observes @Priority(1) ShutdownEvent event) {
        ConsumerLoop<TriggerEvent> current = loop;
        if (current != null) {
            current.close();
        }
    }

    /** True while the consumer runs and has joined its group. */
    public boolean isHealthy() {
        ConsumerLoop<TriggerEvent> current = loop;
        return current != null && current.isHealthy();
    }

    /** False once the consumer stopped on a failure it cannot recover from (true before it starts). */
    public boolean isAlive() {
        ConsumerLoop<TriggerEvent> current = loop;
        return current == null || current.isAlive();
    }

    private void handle(ConsumerRecord<String, TriggerEvent> record) {
        TriggerEvent trigger = record.value();
        if (trigger == null || trigger.getSequenceId() == null || trigger.getSyncId() != null) {
            return;
        }
        try {
            String runId = runner.trigger(trigger.getSequenceId(), trigger.getSource(), trigger.getTriggerId());
            LOG.infof("sequence %s triggered by %s (%s): run %s", trigger.getSequenceId(), trigger.getSource(),
                    trigger.getTriggerId(), runId);
        } catch (UnknownObjectException e) {
            LOG.warnf("trigger %s names sync sequence %s, which does not exist: ignored", trigger.getTriggerId(),
                    trigger.getSequenceId());
        }
    }
}
