package dev.eddy.diff.messaging;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.DeliveryResult;
import dev.eddy.contracts.avro.RowBatch;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.kafka.ConsumerLoop;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.diff.config.DiffConfig;
import dev.eddy.diff.service.ChangeSetBuilder;
import dev.eddy.diff.service.OutcomeRecorder;
import dev.eddy.diff.service.Run;
import dev.eddy.diff.service.RunFinisher;
import dev.eddy.diff.service.RunStore;
import dev.eddy.diff.service.SchemaInitializer;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The service's two Kafka subscriptions: row batches (group {@code eddy-diff}) and delivery results
 * (group {@code eddy-diff-results}); started once the schema exists, stopped before the app stops. A row batch or a
 * delivery result that fails permanently is dead-lettered and its run ended {@code failed} here: recorded finished (so
 * nothing of it is planned or counted afterwards) with its one terminal event.
 */
@ApplicationScoped
public class DiffConsumers {

    private static final Logger LOG = Logger.getLogger(DiffConsumers.class);
    private static final String SERVICE = "diff-service";

    private final DiffConfig config;
    private final SchemaInitializer schema;
    private final ChangeSetBuilder changeSets;
    private final OutcomeRecorder outcomes;
    private final EventPublisher publisher;
    private final AgroalDataSource dataSource;
    private final RunStore runs;
    private final RunFinisher finisher;
    private volatile ConsumerLoop<RowBatch> rows;
    private volatile ConsumerLoop<DeliveryResult> results;

    public DiffConsumers(DiffConfig config, SchemaInitializer schema, ChangeSetBuilder changeSets,
                         OutcomeRecorder outcomes, EventPublisher publisher, AgroalDataSource dataSource,
                         RunStore runs, RunFinisher finisher) {
        this.config = config;
        this.schema = schema;
        this.changeSets = changeSets;
        this.outcomes = outcomes;
        this.publisher = publisher;
        this.dataSource = dataSource;
        this.runs = runs;
        this.finisher = finisher;
    }

    void start(@Observes StartupEvent event) {
        schema.create();
        DiffConfig.Kafka kafka = config.kafka();
        rows = new ConsumerLoop<RowBatch>("diff-rows", consumerSettings(kafka, kafka.rowsGroup()),
                List.of(Topics.ROWS), new ConsumerLoop.Handler<>() {
                    @Override
                    public void handle(ConsumerRecord<String, RowBatch> record) throws Exception {
                        RowBatch batch = record.value();
                        if (batch != null) {
                            withRun(batch.getSyncId(), batch.getRunId(), () -> changeSets.handle(batch));
                        }
                    }

                    @Override
                    public void deadLettered(ConsumerRecord<String, RowBatch> record, Throwable cause) throws Exception {
                        RowBatch batch = record.value();
                        if (batch != null) {
                            String what = (batch.getKind() == BatchKind.END ? "the END of the rows" : "row batch " + batch.getSeq())
                                    + " of run " + batch.getRunId();
                            withRun(batch.getSyncId(), batch.getRunId(), () -> runFailed(batch.getSyncId(), batch.getRunId(),
                                    batch, ConsumerLoop.deadLetterError(SERVICE, what, record, cause)));
                        }
                    }
                }, publisher).start();
        results = new ConsumerLoop<DeliveryResult>("diff-results", consumerSettings(kafka, kafka.resultsGroup()),
                List.of(Topics.DELIVERY_RESULTS), new ConsumerLoop.Handler<>() {
                    @Override
                    public void handle(ConsumerRecord<String, DeliveryResult> record) throws Exception {
                        DeliveryResult result = record.value();
                        if (result != null) {
                            withRun(result.getSyncId(), result.getRunId(), () -> outcomes.handle(result));
                        }
                    }

                    @Override
                    public void deadLettered(ConsumerRecord<String, DeliveryResult> record, Throwable cause) throws Exception {
                        DeliveryResult result = record.value();
                        if (result != null) {
                            String what = (result.getKind() == BatchKind.END ? "the END of the delivery results"
                                    : "the delivery result of change batch " + result.getSeq()) + " of run " + result.getRunId();
                            withRun(result.getSyncId(), result.getRunId(), () -> runFailed(result.getSyncId(),
                                    result.getRunId(), null, ConsumerLoop.deadLetterError(SERVICE, what, record, cause)));
                        }
                    }
                }, publisher).start();
    }

    /**
     * Ends the run of a dead-lettered record {@code failed}: recorded finished with the counts so far and its terminal
     * event, unless it has ended already (or the batch is of a superseded extraction attempt). A run this service has
     * never seen gets a finished record too (from the row batch), so its later batches are skipped.
     */
    private void runFailed(String syncId, String runId, RowBatch batch, String error) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (batch != null) {
                    runs.ensureRun(c, runId, syncId, batch.getAttempt(), batch.getSpecJson(), batch.getFullResync(),
                            batch.getResetCDC());
                }
                Run run = runs.lock(c, runId);
                if (run == null) {
                    publishFailed(syncId, runId, error);
                } else if (run.state() == Run.State.FINISHED) {
                    LOG.infof("a record of run %s is dead-lettered; the run had ended already", runId);
                } else if (batch != null && batch.getAttempt() < run.attempt()) {
                    LOG.infof("a row batch of superseded attempt %d of run %s is dead-lettered; the run goes on",
                            batch.getAttempt(), runId);
                } else {
                    finisher.finish(c, run, new RunFinisher.Outcome(RunStatus.failed, run.querySize(), run.planned(),
                            run.unsent(), run.ok(), run.failed(), error, ConsumerLoop.DEAD_LETTERED));
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The terminal event of a run this service has no record of. */
    private void publishFailed(String syncId, String runId, String error) {
        Instant now = Instant.now();
        publisher.sendAndWait(Topics.RUN_EVENTS, syncId, RunEvent.newBuilder()
                .setRunId(runId).setSyncId(syncId).setStatus(RunStatus.failed).setTerminal(true)
                .setProducer(SERVICE).setAt(now).setFinishedAt(now)
                .setError(error).setErrorCode(ConsumerLoop.DEAD_LETTERED).build());
        LOG.errorf("sync %s run %s ended failed: %s", syncId, runId, error);
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

    /** False once a consumer stopped on a failure it cannot recover from (true before they start). */
    public boolean alive() {
        ConsumerLoop<RowBatch> r = rows;
        ConsumerLoop<DeliveryResult> d = results;
        return (r == null || r.isAlive()) && (d == null || d.isAlive());
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
