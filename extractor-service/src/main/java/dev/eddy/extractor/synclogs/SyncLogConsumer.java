package dev.eddy.extractor.synclogs;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.ChangeBatch;
import dev.eddy.contracts.avro.DeliveryResult;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.kafka.ConsumerLoop;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Warehouse sync logs: its own consumer group ({@code eddy-extractor-synclogs}) follows run requests,
 * change sets, delivery results and run events; when a run of an opted-in sync is over, a separate writer
 * thread writes its logs to the warehouse. The run is never held up: its terminal event is already out
 * when the logs are written. A failure to write is logged as a warning naming the sync and run, and
 * published as the run's sync-logs event ({@code RunEvent.syncLogsError}), which marks the finished run with a
 * warning in the run history.
 */
@ApplicationScoped
public class SyncLogConsumer {

    public static final String GROUP = "eddy-extractor-synclogs";
    /** The producer named on sync-logs events. */
    public static final String PRODUCER = "extractor-service/sync-logs";
    private static final Logger LOG = Logger.getLogger(SyncLogConsumer.class);

    private final String bootstrapServers;
    private final Optional<String> registryUrl;
    private final Duration grace;
    private final SyncLogWriter writer;
    private final EventPublisher publisher;
    private final SyncLogRecorder recorder = new SyncLogRecorder();
    private final ExecutorService writes = Executors.newSingleThreadExecutor(r -> daemon(r, "sync-log-writer"));
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "sync-log-timer"));
    /** The last write failure per sync, kept for operators (most recent wins). */
    private final Map<String, String> lastFailures = new ConcurrentHashMap<>();
    private volatile ConsumerLoop<Object> loop;

    public SyncLogConsumer(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                           @ConfigProperty(name = "apicurio.registry.url") Optional<String> registryUrl,
                           @ConfigProperty(name = "eddy.sync-logs.delivery-end-grace", defaultValue = "30s") Duration grace,
                           SyncLogWriter writer, EventPublisher publisher) {
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
        this.grace = grace;
        this.writer = writer;
        this.publisher = publisher;
    }

    void start(@Observes StartupEvent event) {
        loop = new ConsumerLoop<>("extractor-sync-logs", KafkaSettings.consumer(bootstrapServers, registryUrl, GROUP),
                List.of(Topics.RUN_REQUESTS, Topics.CHANGES, Topics.DELIVERY_RESULTS, Topics.RUN_EVENTS), this::handle, publisher).start();
    }

    void stop(@Observes ShutdownEvent event) {
        ConsumerLoop<Object> current = loop;
        if (current != null) {
            current.close();
        }
        timers.shutdownNow();
        writes.shutdown();
    }

    /** True while the consumer runs and has joined its group. */
    public boolean isHealthy() {
        ConsumerLoop<Object> current = loop;
        return current != null && current.isHealthy();
    }

    /** False once the consumer stopped on a failure it cannot recover from (true before it starts). */
    public boolean isAlive() {
        ConsumerLoop<Object> current = loop;
        return current == null || current.isAlive();
    }

    /** Per sync whose latest sync-log write failed: the run and the reason. */
    public Map<String, String> failures() {
        return Map.copyOf(lastFailures);
    }

    void handle(ConsumerRecord<String, Object> record) {
        Object value = record.value();
        Optional<RunLog> done;
        synchronized (recorder) {
            if (value instanceof RunRequest request) {
                done = recorder.onRunRequest(request);
            } else if (value instanceof ChangeBatch batch) {
                done = recorder.onChanges(batch);
            } else if (value instanceof DeliveryResult result) {
                done = recorder.onResult(result);
            } else if (value instanceof RunEvent runEvent) {
                done = recorder.onRunEvent(runEvent);
                if (done.isEmpty() && runEvent.getTerminal()) {
                    String runId = runEvent.getRunId();
                    // the delivery's end may still be on its way from its own topic; do not wait for ever
                    timers.schedule(() -> expire(runId), grace.toMillis(), TimeUnit.MILLISECONDS);
                }
            } else {
                done = Optional.empty();
            }
        }
        done.ifPresent(this::submit);
    }

    private void expire(String runId) {
        Optional<RunLog> run;
        synchronized (recorder) {
            run = recorder.expire(runId);
        }
        run.ifPresent(this::submit);
    }

    private void submit(RunLog run) {
        writes.execute(() -> {
            MDC.put("syncId", run.syncId());
            MDC.put("runId", run.runId());
            long started = System.nanoTime();
            try {
                writer.write(run);
                lastFailures.remove(run.syncId());
                LOG.infof("wrote warehouse sync logs in %d ms", (System.nanoTime() - started) / 1_000_000);
            } catch (SyncLogWriteException e) {
                LOG.warnf("warehouse sync logs were not written (the run's result stands, with a warning): %s", e.getMessage());
                failed(run, e.getMessage());
            } catch (RuntimeException e) {
                LOG.warnf(e, "warehouse sync logs were not written (the run's result stands, with a warning)");
                failed(run, e.toString());
            } finally {
                MDC.remove("syncId");
                MDC.remove("runId");
            }
        });
    }

    /** Lists the failure at readiness and marks the finished run with it. */
    private void failed(RunLog run, String reason) {
        String message = "sync logs could not be written to " + AuditTables.SCHEMA + ": " + reason;
        lastFailures.put(run.syncId(), "run " + run.runId() + ": " + message);
        try {
            publisher.sendAndWait(Topics.RUN_EVENTS, run.syncId(), syncLogsEvent(run, message, Instant.now()));
        } catch (RuntimeException e) {
            LOG.warnf("the sync-log failure could not be reported on the run: %s", e.getMessage());
        }
    }

    /**
     * The run's sync-logs event: not terminal (the run ended with its one terminal event), with the status the run
     * has after it (a success becomes a warning; a warning or a failure stays) and the reason.
     */
    static RunEvent syncLogsEvent(RunLog run, String message, Instant at) {
        RunEvent terminal = run.terminalEvent();
        RunStatus status = terminal == null || terminal.getStatus() == RunStatus.success ? RunStatus.warning : terminal.getStatus();
        return RunEvent.newBuilder()
                .setRunId(run.runId())
                .setSyncId(run.syncId())
                .setStatus(status)
                .setTerminal(false)
                .setProducer(PRODUCER)
                .setAt(at)
                .setSyncLogsError(message)
                .build();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
