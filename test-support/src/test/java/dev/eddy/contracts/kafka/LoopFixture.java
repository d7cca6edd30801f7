package dev.eddy.contracts.kafka;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.testsupport.SharedInfrastructure;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** The embedded broker and what the consumer-loop tests do with it: raw records in, dead letters and offsets out. */
final class LoopFixture {

    final String servers = SharedInfrastructure.broker().bootstrapServers();

    String topic(int partitions) throws Exception {
        String topic = "loop-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
        return topic;
    }

    static RunEvent event(String runId) {
        return RunEvent.newBuilder().setRunId(runId).setSyncId("sync-1").setStatus(RunStatus.processing)
                .setProducer("test").setAt(Instant.ofEpochMilli(1_000)).build();
    }

    /** The bytes Eddy's producers write for the event (the Avro serde, registry-less); headers it sets go to {@code headers}. */
    byte[] avro(String topic, RunEvent event, Headers headers) {
        try (AvroKafkaSerializer<RunEvent> serializer = new AvroKafkaSerializer<>()) {
            serializer.configure(KafkaSettings.producer(servers, Optional.empty(), "fixture"), false);
            return serializer.serialize(topic, headers, event);
        }
    }

    static Headers headers(String... namesAndValues) {
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(namesAndValues[i], namesAndValues[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    void send(String topic, Integer partition, byte[] key, byte[] value, Headers headers) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
            producer.send(new ProducerRecord<>(topic, partition, key, value, headers)).get();
        }
    }

    Map<String, Object> consumer(String group) {
        return KafkaSettings.consumer(servers, Optional.empty(), group);
    }

    EventPublisher publisher() {
        return new EventPublisher(KafkaSettings.producer(servers, Optional.empty(), "loop-test"));
    }

    /** Every record of a topic, as bytes, from its beginning to its end now. */
    List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    /** The dead letters of records read from {@code topic}. */
    List<ConsumerRecord<byte[], byte[]>> deadLetters(String topic) {
        return read(Topics.DEAD_LETTER).stream()
                .filter(r -> topic.equals(DeadLetterHeaders.text(r.headers(), DeadLetterHeaders.TOPIC))).toList();
    }

    Long committed(String group, String topic, int partition) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            TopicPartition tp = new TopicPartition(topic, partition);
            OffsetAndMetadata offset = consumer.committed(Set.of(tp)).get(tp);
            return offset == null ? null : offset.offset();
        }
    }

    static String group() {
        return "loop-" + UUID.randomUUID();
    }

    static ConsumerLoop.Options fastRetries() {
        return new ConsumerLoop.Options(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(30),
                java.time.Clock.systemUTC());
    }
}
