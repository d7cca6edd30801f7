package dev.eddy.config.rejections;

import dev.eddy.config.store.ConfigSchema;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.DeliveryResult;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.avro.RowOutcome;
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

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Consumes {@link Topics#DELIVERY_RESULTS} (group {@value #GROUP}) and stores each REJECTED or FAILED row
 * outcome, with its reason, so {@code GET /api/v1/syncs/{id}/runs/{runId}/rejections} can list them.
 */
@ApplicationScoped
public class RejectionConsumer {

    public static final String GROUP = "eddy-config-rejections";
    private static final Logger LOG = Logger.getLogger(RejectionConsumer.class);

    private final RejectionStore store;
    private final EventPublisher deadLetters;
    private final String bootstrapServers;
    private final Optional<String> registryUrl;
    private volatile ConsumerLoop<DeliveryResult> loop;

    public RejectionConsumer(RejectionStore store, EventPublisher deadLetters,
                             @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                             @ConfigProperty(name = "apicurio.registry.url") Optional<String> registryUrl) {
        this.store = store;
        this.deadLetters = deadLetters;
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
    }

    void onStart(@Observes @Priority(ConfigSchema.STARTUP_PRIORITY + 25) StartupEvent event) {
        loop = new ConsumerLoop<>("config-rejections", KafkaSettings.consumer(bootstrapServers, registryUrl, GROUP),
                List.of(Topics.DELIVERY_RESULTS), this::handle, deadLetters).start();
    }

    void onStop(@Observes @Priority(1) ShutdownEvent event) {
        ConsumerLoop<DeliveryResult> current = loop;
        if (current != null) {
            current.close();
        }
    }

    /** True while the consumer runs and has joined its group. */
    public boolean isHealthy() {
        ConsumerLoop<DeliveryResult> current = loop;
        return current != null && current.isHealthy();
    }

    /** False once the consumer stopped on a failure it cannot recover from (true before it starts). */
    public boolean isAlive() {
        ConsumerLoop<DeliveryResult> current = loop;
        return current == null || current.isAlive();
    }

    private void handle(ConsumerRecord<String, DeliveryResult> record) throws SQLException {
        DeliveryResult result = record.value();
        if (result == null || result.getKind() != BatchKind.ROWS
                || !result.getRunId().matches("\\d{1,18}") || !result.getSyncId().matches("\\d{1,18}")) {
            return;
        }
        List<RejectionStore.Rejection> rejections = new ArrayList<>();
        List<RowOutcome> outcomes = result.getOutcomes();
        for (int i = 0; i < outcomes.size(); i++) {
            RowOutcome outcome = outcomes.get(i);
            if (outcome.getStatus() == OutcomeStatus.REJECTED || outcome.getStatus() == OutcomeStatus.FAILED) {
                rejections.add(new RejectionStore.Rejection(Long.parseLong(result.getSyncId()), Long.parseLong(result.getRunId()),
                        result.getSeq(), i, outcome.getPk(), outcome.getOp().name().toLowerCase(Locale.ROOT),
                        outcome.getStatus().name().toLowerCase(Locale.ROOT), outcome.getReason()));
            }
        }
        store.save(rejections);
        if (!rejections.isEmpty()) {
            LOG.debugf("Sync %s run %s: %d rejected rows stored", result.getSyncId(), result.getRunId(), rejections.size());
        }
    }
}
