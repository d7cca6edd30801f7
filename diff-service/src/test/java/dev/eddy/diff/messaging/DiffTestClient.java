package dev.eddy.diff.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.RunIds;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.Change;
import dev.eddy.contracts.avro.ChangeBatch;
import dev.eddy.contracts.avro.DeliveryResult;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.avro.Row;
import dev.eddy.contracts.avro.RowBatch;
import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.testsupport.SharedInfrastructure;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

import static org.awaitility.Awaitility.await;

/**
 * Plays the extractor and the delivery service against the diff service over the real broker: publishes
 * row batches and delivery results, and records every change batch and run event it sees.
 */
public final class DiffTestClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static DiffTestClient instance;

    private final EventPublisher publisher;
    private final ConcurrentLinkedQueue<ChangeBatch> changeBatches = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<RunEvent> runEvents = new ConcurrentLinkedQueue<>();

    private DiffTestClient(String bootstrap) {
        this.publisher = new EventPublisher(KafkaSettings.producer(bootstrap, Optional.empty(), "diff-test"));
        Thread reader = new Thread(() -> read(bootstrap), "diff-test-reader");
        reader.setDaemon(true);
        reader.start();
    }

    public static synchronized DiffTestClient get() {
        if (instance == null) {
            instance = new DiffTestClient(SharedInfrastructure.broker().bootstrapServers());
        }
        return instance;
    }

    private void read(String bootstrap) {
        try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(
                KafkaSettings.consumer(bootstrap, Optional.empty(), "diff-test-" + UUID.randomUUID()))) {
            consumer.subscribe(List.of(Topics.CHANGES, Topics.RUN_EVENTS));
            while (true) {
                for (ConsumerRecord<String, Object> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.value() instanceof ChangeBatch batch) {
                        changeBatches.add(batch);
                    } else if (record.value() instanceof RunEvent event) {
                        runEvents.add(event);
                    }
                }
            }
        }
    }

    /** A sync spec on model key {@code id}, mapping {@code id}, {@code email} and {@code plan}. */
    public static SyncSpec spec(String syncId, String mode, String deleteBehavior, String type) {
        ObjectNode configuration = JSON.createObjectNode();
        configuration.put("mode", mode);
        configuration.put("deleteBehavior", deleteBehavior);
        configuration.put("type", type);
        var mappings = configuration.putArray("mappings");
        for (String column : List.of("id", "email", "plan")) {
            mappings.addObject().put("from", column).put("to", column).put("type", "standard");
        }
        return new SyncSpec(syncId, syncId, 1, new SyncSpec.Model("m1", "customers", "customers", "id", "SELECT 1"),
                null, null, configuration);
    }

    /** A warehouse row: key and plan; the hash covers both, as the extractor's would. */
    public static Row row(int id, String plan) {
        String data = "{\"id\":" + id + ",\"email\":\"c" + id + "@example.com\",\"plan\":\"" + plan + "\"}";
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(data.getBytes(StandardCharsets.UTF_8));
            return Row.newBuilder().setPk(Integer.toString(id)).setHash(ByteBuffer.wrap(hash)).setData(data).build();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What an extraction publishes. */
    public record Extraction(String runId, String syncId, SyncSpec spec, long attempt, boolean fullResync,
                             boolean resetCdc) {
        public static Extraction of(SyncSpec spec) {
            return new Extraction(RunIds.next(), spec.syncId(), spec, 1, false, false);
        }

        public Extraction withFullResync() {
            return new Extraction(runId, syncId, spec, attempt, true, resetCdc);
        }

        public Extraction withResetCdc() {
            return new Extraction(runId, syncId, spec, attempt, fullResync, true);
        }

        public Extraction attempt(long next) {
            return new Extraction(runId, syncId, spec, next, fullResync, resetCdc);
        }
    }

    public RowBatch rowBatch(Extraction x, int seq, List<Row> rows) {
        return base(x, seq).setKind(BatchKind.ROWS).setRows(rows).build();
    }

    public RowBatch endBatch(Extraction x, int seq, long querySize, String error, String errorCode) {
        return base(x, seq).setKind(BatchKind.END).setRows(List.of()).setQuerySize(querySize)
                .setColumns(List.of("id", "email", "plan")).setError(error).setErrorCode(errorCode).build();
    }

    private static RowBatch.Builder base(Extraction x, int seq) {
        return RowBatch.newBuilder().setRunId(x.runId()).setSyncId(x.syncId()).setAttempt(x.attempt()).setSeq(seq)
                .setSpecJson(x.spec().toJson()).setFullResync(x.fullResync()).setResetCDC(x.resetCdc());
    }

    public void publish(RowBatch batch) {
        publisher.sendAndWait(Topics.ROWS, batch.getSyncId(), batch);
    }

    public void publish(DeliveryResult result) {
        publisher.sendAndWait(Topics.DELIVERY_RESULTS, result.getSyncId(), result);
    }

    /** Publishes the rows in batches of 2 and the END marker. */
    public void extract(Extraction x, List<Row> rows) {
        int seq = 0;
        for (int i = 0; i < rows.size(); i += 2) {
            publish(rowBatch(x, seq++, rows.subList(i, Math.min(rows.size(), i + 2))));
        }
        publish(endBatch(x, seq, rows.size(), null, null));
    }

    /** Waits for the change set's END and answers its ROWS batches by seq. */
    public List<ChangeBatch> awaitChangeSet(String runId) {
        await().atMost(Duration.ofSeconds(30)).until(() -> changeBatches.stream()
                .anyMatch(b -> b.getRunId().equals(runId) && b.getKind() == BatchKind.END));
        ChangeBatch end = changeBatches.stream()
                .filter(b -> b.getRunId().equals(runId) && b.getKind() == BatchKind.END).findFirst().orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> rowsBatches(runId).size() >= end.getSeq());
        return rowsBatches(runId);
    }

    private List<ChangeBatch> rowsBatches(String runId) {
        Map<Integer, ChangeBatch> bySeq = new LinkedHashMap<>();
        changeBatches.stream().filter(b -> b.getRunId().equals(runId) && b.getKind() == BatchKind.ROWS)
                .sorted((a, b) -> Integer.compare(a.getSeq(), b.getSeq()))
                .forEach(b -> bySeq.putIfAbsent(b.getSeq(), b));
        return new ArrayList<>(bySeq.values());
    }

    public ChangeBatch changeSetEnd(String runId) {
        return changeBatches.stream().filter(b -> b.getRunId().equals(runId) && b.getKind() == BatchKind.END)
                .findFirst().orElseThrow();
    }

    /** Every change batch seen for the run (ROWS and END, replays included). */
    public List<ChangeBatch> changeBatches(String runId) {
        return changeBatches.stream().filter(b -> b.getRunId().equals(runId)).toList();
    }

    public static List<Change> changes(List<ChangeBatch> batches) {
        return batches.stream().flatMap(b -> b.getChanges().stream()).toList();
    }

    /** Answers each change batch with one outcome per row, then the delivery's END. */
    public void deliver(List<ChangeBatch> batches, Function<Change, OutcomeStatus> status, String fatalError) {
        ChangeBatch first = batches.get(0);
        for (ChangeBatch batch : batches) {
            publish(result(batch, status));
        }
        publish(end(first.getRunId(), first.getSyncId(), batches.size(), fatalError));
    }

    public DeliveryResult result(ChangeBatch batch, Function<Change, OutcomeStatus> status) {
        List<RowOutcome> outcomes = batch.getChanges().stream().map(c -> RowOutcome.newBuilder().setPk(c.getPk())
                .setOp(c.getOp()).setStatus(status.apply(c))
                .setReason(status.apply(c) == OutcomeStatus.ACCEPTED ? null : "refused").build()).toList();
        return DeliveryResult.newBuilder().setRunId(batch.getRunId()).setSyncId(batch.getSyncId())
                .setSeq(batch.getSeq()).setKind(BatchKind.ROWS).setOutcomes(outcomes).build();
    }

    public DeliveryResult end(String runId, String syncId, int seq, String fatalError) {
        return DeliveryResult.newBuilder().setRunId(runId).setSyncId(syncId).setSeq(seq).setKind(BatchKind.END)
                .setOutcomes(List.of()).setFatalError(fatalError).build();
    }

    public RunEvent awaitTerminal(String runId) {
        await().atMost(Duration.ofSeconds(30)).until(() -> terminals(runId).size() >= 1);
        return terminals(runId).get(0);
    }

    public List<RunEvent> terminals(String runId) {
        return runEvents.stream().filter(e -> e.getRunId().equals(runId) && e.getTerminal()).toList();
    }

    public List<RunEvent> events(String runId) {
        return runEvents.stream().filter(e -> e.getRunId().equals(runId)).toList();
    }

    public static String newSyncId() {
        return "sync-" + UUID.randomUUID();
    }
}
