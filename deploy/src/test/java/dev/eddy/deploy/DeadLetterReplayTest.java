package dev.eddy.deploy;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.kafka.ConsumerLoop;
import dev.eddy.contracts.kafka.DeadLetterHeaders;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.testsupport.SharedInfrastructure;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./eddy dlq}: a poison record a consumer loop dead-lettered (with its value and headers) is listed, and
 * replaying it puts the identical bytes (key, value, original headers) back onto the topic it was read from.
 */
class DeadLetterReplayTest {

    private final String servers = SharedInfrastructure.broker().bootstrapServers();

    @Test
    void aDeadLetteredPoisonRecordIsReplayedOntoItsTopicByteForByte() throws Exception {
        String topic = "dlq-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        byte[] key = "sync-42".getBytes(StandardCharsets.UTF_8);
        byte[] poison = "{\"not\": \"avro\"}\u0000".getBytes(StandardCharsets.UTF_8);
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "trace-1".getBytes(StandardCharsets.UTF_8));
        headers.add("empty", new byte[0]);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
            producer.send(new ProducerRecord<>(topic, 0, key, poison, headers)).get();
        }
        List<ConsumerRecord<String, RunEvent>> deadLettered = new CopyOnWriteArrayList<>();
        String group = "dlq-" + UUID.randomUUID();
        try (EventPublisher publisher = new EventPublisher(KafkaSettings.producer(servers, Optional.empty(), "dlq-test"));
             ConsumerLoop<RunEvent> loop = new ConsumerLoop<RunEvent>("dlq-test",
                     KafkaSettings.consumer(servers, Optional.empty(), group), List.of(topic),
                     new ConsumerLoop.Handler<>() {
                         @Override
                         public void handle(ConsumerRecord<String, RunEvent> record) {
                         }

                         @Override
                         public void deadLettered(ConsumerRecord<String, RunEvent> record, Throwable cause) {
                             deadLettered.add(record);
                         }
                     }, publisher).start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> deadLettered.size() == 1);
        }
        assertNull(deadLettered.get(0).value(), "the poison record cannot be decoded");

        ByteArrayOutputStream listed = new ByteArrayOutputStream();
        DeadLetterTool tool = new DeadLetterTool(servers, new PrintStream(listed, true, StandardCharsets.UTF_8));
        assertEquals(1, tool.run(DeadLetterTool.Request.parse(new String[]{"list", "--topic", topic, "--since", "1h"},
                Clock.systemUTC())));
        String line = listed.toString(StandardCharsets.UTF_8);
        assertTrue(line.contains(topic + " partition 0 offset 0  stage dlq-test  undecodable  " + poison.length + " bytes"), line);

        ByteArrayOutputStream replayed = new ByteArrayOutputStream();
        DeadLetterTool replay = new DeadLetterTool(servers, new PrintStream(replayed, true, StandardCharsets.UTF_8));
        assertEquals(1, replay.run(DeadLetterTool.Request.parse(new String[]{"replay", "--topic", topic, "--dry-run"},
                Clock.systemUTC())), "a dry run names the letter");
        assertEquals(1, read(topic).size(), "a dry run puts nothing back");
        assertEquals(1, replay.run(DeadLetterTool.Request.parse(new String[]{"replay", "--topic", topic}, Clock.systemUTC())));

        List<ConsumerRecord<byte[], byte[]>> records = read(topic);
        assertEquals(2, records.size(), replayed.toString(StandardCharsets.UTF_8));
        ConsumerRecord<byte[], byte[]> original = records.get(0);
        ConsumerRecord<byte[], byte[]> again = records.get(1);
        assertArrayEquals(original.key(), again.key());
        assertArrayEquals(original.value(), again.value());
        assertArrayEquals(poison, again.value());
        assertEquals(headerList(original), headerList(again), "the original headers, nothing added");
        assertTrue(headerList(again).stream().noneMatch(h -> h.startsWith(DeadLetterHeaders.PREFIX)));
    }

    @Test
    void theCommandLineIsCheckedBeforeAnythingIsRead() {
        Clock clock = Clock.fixed(java.time.Instant.parse("2026-05-01T12:00:00Z"), java.time.ZoneOffset.UTC);
        DeadLetterTool.Request request = DeadLetterTool.Request.parse(
                new String[]{"replay", "--topic", Topics.ROWS, "--since", "2h", "--letter", "3@17"}, clock);
        assertEquals(Topics.ROWS, request.topic());
        assertEquals(java.time.Instant.parse("2026-05-01T10:00:00Z"), request.since());
        assertEquals(3, request.partition());
        assertEquals(17L, request.offset());
        assertEquals(java.time.Instant.parse("2026-04-30T00:00:00Z"),
                DeadLetterTool.Request.parse(new String[]{"list", "--since", "2026-04-30T00:00:00Z"}, clock).since());
        assertThrows(IllegalArgumentException.class, () -> DeadLetterTool.Request.parse(new String[]{"purge"}, clock));
        assertThrows(IllegalArgumentException.class, () -> DeadLetterTool.Request.parse(new String[]{"list", "--since", "soon"}, clock));
        assertThrows(IllegalArgumentException.class, () -> DeadLetterTool.Request.parse(new String[]{"replay", "--letter", "17"}, clock));
        assertThrows(IllegalArgumentException.class, () -> DeadLetterTool.Request.parse(new String[]{"list", "--topic"}, clock));
    }

    private List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            while (consumer.position(partition) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private static List<String> headerList(ConsumerRecord<byte[], byte[]> record) {
        List<String> list = new ArrayList<>();
        for (Header header : record.headers()) {
            list.add(header.key() + "=" + Arrays.toString(header.value()));
        }
        return list;
    }
}
