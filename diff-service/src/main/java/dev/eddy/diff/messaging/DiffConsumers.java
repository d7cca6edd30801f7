package dev.eddy.diff.messaging;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.DeliveryResult;
import dev.eddy.contracts.avro.RowBatch;
import dev.eddy.contracts.kafka.ConsumerLoop;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.diff.config.DiffConfig;
import dev.eddy.diff.service.ChangeSetBuilder;
import dev.eddy.diff.service.OutcomeRecorder;
import dev.eddy.diff.service.SchemaInitializer;
import io.quarkus.runtime.ShutdownEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.MDC;

import java.util.List;
import java.util.Map;

/**
 * The service's two Kafka subscriptions: row batches (group {@code eddy-diff}) and delivery results
 * (group {@code eddy-diff-results}); started once the schema exists, stopped before the app stops.
 */
@ApplicationScoped
public class DiffConsumers {

    private final DiffConfig config;
    private final SchemaInitializer schema;
    private final ChangeSetBuilder changeSets;
    private final OutcomeRecorder outcomes;
    private final EventPublisher publisher;
    private volatile ConsumerLoop<RowBatch> rows;
    private volatile ConsumerLoop<DeliveryResult> results;

    public DiffConsumers(DiffConfig config, SchemaInitializer schema, ChangeSetBuilder changeSets,
                         OutcomeRecorder outcomes, EventPublisher publisher) {
        this.config = config;
        this.schema = schema;
        this.changeSets = changeSets;
        this.outcomes = outcomes;
        this.publisher = publisher;
    }

    void start(@Observes StartupEvent event) {
        schema.create();
        DiffConfig.Kafka kafka = config.kafka();
        rows = new ConsumerLoop<RowBatch>("diff-rows", consumerSettings(kafka, kafka.rowsGroup()),
                List.of(Topics.ROWS), record -> {
                    RowBatch batch = record.value();
                    if (batch != null) {
                        withRun(batch.getSyncId(), batch.getRunId(), () -> changeSets.handle(batch));
                    }
                }, publisher).start();
        results = new ConsumerLoop<DeliveryResult>("diff-results", consumerSettings(kafka, kafka.resultsGroup()),
                List.of(Topics.DELIVERY_RESULTS), record -> {
                    DeliveryResult result = record.value();
                    if (result != null) {
                        withRun(result.getSyncId(), result.getRunId(), () -> outcomes.handle(result));
                    }
                }, publisher).start();
    }

    private static Map<String, Object> consumerSettings(DiffConfig.Kafka kafka, String group) {
        Map<String, Object> settings = KafkaSettings.consumer(kafka.bootstrapServers(), kafka.registryUrl(), group);
        int timeout = (int) kafka.sessionTimeout().toMillis();
        settings.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, timeout);
        settings.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(500, timeout / 5));
        return settings;
    }

    void stop(@Observes ShutdownEvent event) {
        if (rows != null) {
            rows.close();
        }
        if (results != null) {
            results.close();
        }
    }

    /** True when both consumers run and have joined their groups. */
    public boolean healthy() {
        return rows != null && results != null && rows.isHealthy() && results.isHealthy();
    }

    private interface Work {
        void run() throws Exception;
    }

    private static void withRun(String syncId, String runId, Work work) throws Exception {
        MDC.put("syncId", syncId);
        MDC.put("runId", runId);
        try {
            work.run();
        } finally {
            MDC.remove("syncId");
            MDC.remove("runId");
        }
    }
}
