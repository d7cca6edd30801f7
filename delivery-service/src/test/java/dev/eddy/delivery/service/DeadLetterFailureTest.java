package dev.eddy.delivery.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.RunIds;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.Change;
import dev.eddy.contracts.avro.ChangeBatch;
import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.avro.DeliveryResult;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.delivery.TestDeliveryConfig;
import dev.eddy.delivery.connector.ConnectorRegistry;
import dev.eddy.delivery.connector.HttpTransport;
import dev.eddy.delivery.messaging.DeadLetters;
import dev.eddy.delivery.messaging.DeliveryEvents;
import dev.eddy.delivery.retry.RetryPolicy;
import dev.eddy.testsupport.RecordingHttpSink;
import dev.eddy.testsupport.SharedInfrastructure;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A batch whose dead letters the broker does not take is neither reported nor settled, so its offset is not
 * committed; once the broker takes them, the same batch's letters and result go out. The delivery classes are wired
 * by hand around the embedded broker and a real local HTTP sink; the dead-letter topic refuses large records until
 * the test raises its limit.
 */
class DeadLetterFailureTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "dead-letter-test-key";

    private final String servers = SharedInfrastructure.broker().bootstrapServers();
    private final String syncId = "sync-" + UUID.randomUUID();
    private final String runId = RunIds.next();

    @Test
    void aRefusedDeadLetterFailsTheBatchUntilTheBrokerTakesIt() throws Exception {
        String topic = "dlt-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers));
             RecordingHttpSink sink = new RecordingHttpSink();
             EventPublisher publisher = new EventPublisher(KafkaSettings.producer(servers, Optional.empty(), "dlt-test"))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("max.message.bytes", "512"))))
                    .all().get();
            sink.respondWith(r -> new RecordingHttpSink.Response(400, "{\"error\": \"no\"}", Map.of()));
            TestDeliveryConfig config = new TestDeliveryConfig(KEY);
            Clock clock = Clock.systemUTC();
            BatchDelivery batches = new BatchDelivery(new RetryPolicy(new RetryPolicy.Settings(1, Duration.ofSeconds(1),
                    Duration.ofMillis(1), Duration.ofMillis(1)), clock, d -> { }, () -> 0.5));
            DeliveryPlanner planner = new DeliveryPlanner(new ConnectorRegistry(HttpTransport.of(HttpClient.newHttpClient()),
                    Duration.ofSeconds(3), clock), batches, new Throttles(clock));
            DeadLetters deadLetters = new DeadLetters(topic, Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers));
            ChangeDelivery delivery = new ChangeDelivery(planner, deadLetters, batches, new RunTracker(),
                    new DeliveryEvents(publisher, config), new SecretBox(KEY), config, clock);
            try {
                // one row too large for the dead-letter topic's limit
                delivery.handle(rows(sink.url(), "{\"id\": 1, \"note\": \"" + "x".repeat(2048) + "\"}"));

                assertThrows(DeadLetters.UnpublishedDeadLetterException.class, delivery::settle,
                        "the consumer must not commit the batch");
                assertThrows(DeadLetters.UnpublishedDeadLetterException.class, delivery::settle, "still unreported");
                assertEquals(List.of(), resultsOfRun(), "no result was published for the batch");

                admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(
                        new AlterConfigOp(new ConfigEntry("max.message.bytes", "1048576"), AlterConfigOp.OpType.SET))))
                        .all().get();
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(delivery::settle);

                List<DeliveryResult> results = resultsOfRun();
                assertEquals(1, results.size());
                RowOutcome outcome = results.get(0).getOutcomes().get(0);
                assertEquals(OutcomeStatus.REJECTED, outcome.getStatus());
                assertTrue(outcome.getReason().startsWith("HTTP 400"), outcome.getReason());
                assertEquals(1, endOffset(topic) - 0, "the letter is on the dead-letter topic");
            } finally {
                delivery.stop();
                deadLetters.close();
            }
        }
    }

    private ChangeBatch rows(String url, String data) {
        ObjectNode destination = JSON.createObjectNode().put("url", url);
        String spec = new SyncSpec(syncId, "dlt", 1, new SyncSpec.Model("m", "Customers", "customers", "id", "select 1"),
                null, new SyncSpec.Connection("d", "hook", "webhook", destination), JSON.createObjectNode()).toJson();
        return ChangeBatch.newBuilder().setRunId(runId).setSyncId(syncId).setSeq(0).setKind(BatchKind.ROWS)
                .setChanges(List.of(Change.newBuilder().setOp(ChangeOp.ADDED).setPk("1").setData(data).build()))
                .setSpecJson(spec).build();
    }

    /** Every delivery result of the run on the topic, read to the topic's end. */
    private List<DeliveryResult> resultsOfRun() {
        List<DeliveryResult> results = new ArrayList<>();
        try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(KafkaSettings.consumer(servers, Optional.empty(),
                "dlt-test-" + UUID.randomUUID()))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.DELIVERY_RESULTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, Object> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() instanceof DeliveryResult result && runId.equals(result.getRunId())) {
                        results.add(result);
                    }
                }
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
        return results;
    }

    private long endOffset(String topic) {
        try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(KafkaSettings.consumer(servers, Optional.empty(),
                "dlt-end-" + UUID.randomUUID()))) {
            TopicPartition partition = new TopicPartition(topic, 0);
            return consumer.endOffsets(List.of(partition)).get(partition);
        }
    }
}
