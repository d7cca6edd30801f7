package dev.eddy.contracts.kafka;

import dev.eddy.contracts.RunIds;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.testsupport.SharedInfrastructure;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The consumer loop against the embedded broker: a record its handler fails on permanently goes to the dead-letter
 * topic; while the broker refuses that dead letter the record's offset is not committed and the letter is sent again
 * (the record is never dropped silently, nor handled again); once the broker takes it, the offset moves on.
 */
class ConsumerLoopDeadLetterTest {

    private final String servers = SharedInfrastructure.broker().bootstrapServers();

    @Test
    void aRecordWhoseDeadLetterTheBrokerRefusesIsReadAgainUntilTheLetterIsTaken() throws Exception {
        String topic = "loop-" + UUID.randomUUID();
        String group = "loop-" + UUID.randomUUID();
        ConfigResource deadLetterTopic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.DEAD_LETTER);
        AtomicInteger attempts = new AtomicInteger();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers));
             // a raised record bound: the producer takes the 2 MB record below (the broker keeps Kafka's 1 MB default)
             EventPublisher publisher = new EventPublisher(KafkaSettings.producer(servers, Optional.empty(), "loop-test",
                     8 * 1024 * 1024))) {
            // the record carries a 2 MB key, which its dead letter repeats; the dead-letter topic takes 1 MB for now
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                    .configs(Map.of("max.message.bytes", String.valueOf(16 * 1024 * 1024))))).all().get();
            setMaxMessageBytes(admin, deadLetterTopic, "1048576");
            try {
                publisher.sendAndWait(topic, "k".repeat(2 * 1024 * 1024), RunEvent.newBuilder().setRunId(RunIds.next())
                        .setSyncId("sync-1").setStatus(RunStatus.processing).setProducer("test").setAt(Instant.now()).build());
                ConsumerLoop<RunEvent> loop = new ConsumerLoop<RunEvent>("loop-test",
                        KafkaSettings.consumer(servers, Optional.empty(), group), List.of(topic),
                        record -> {
                            attempts.incrementAndGet();
                            throw new IllegalStateException("the handler fails");
                        }, publisher, LoopFixture.fastRetries()).start();
                try {
                    // one attempt (a permanent failure), then the dead letter, refused again and again
                    await().atMost(Duration.ofSeconds(90)).until(() -> attempts.get() == 1);
                    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(20)).until(() -> committed(group, topic) == null);
                    assertNull(committed(group, topic), "nothing committed while the dead letter is refused");
                    assertTrue(loop.isAlive());

                    setMaxMessageBytes(admin, deadLetterTopic, String.valueOf(16 * 1024 * 1024));
                    await().atMost(Duration.ofSeconds(90)).until(() -> committed(group, topic) != null);
                    assertEquals(1, attempts.get(), "the letter was sent again, the handler not called again");
                } finally {
                    loop.close();
                }
            } finally {
                admin.incrementalAlterConfigs(Map.of(deadLetterTopic, List.of(new AlterConfigOp(
                        new ConfigEntry("max.message.bytes", ""), AlterConfigOp.OpType.DELETE)))).all().get();
            }
        }
    }

    private static void setMaxMessageBytes(Admin admin, ConfigResource topic, String bytes) throws Exception {
        admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", bytes),
                AlterConfigOp.OpType.SET)))).all().get();
    }

    private OffsetAndMetadata committed(String group, String topic) {
        try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(KafkaSettings.consumer(servers, Optional.empty(), group))) {
            TopicPartition partition = new TopicPartition(topic, 0);
            return consumer.committed(Set.of(partition)).get(partition);
        }
    }
}
