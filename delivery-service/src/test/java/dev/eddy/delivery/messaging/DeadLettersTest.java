package dev.eddy.delivery.messaging;

import dev.eddy.testsupport.SharedInfrastructure;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dead letters against the embedded broker: on the topic when {@code send} returns, an exception when not. */
class DeadLettersTest {

    private final String servers = SharedInfrastructure.broker().bootstrapServers();

    private static DeadLetters.Letter letter(String pk, String data) {
        return new DeadLetters.Letter("sync-4", "run-9", "webhook", "added", pk, "REJECTED", "HTTP 400: bad email", data);
    }

    @Test
    void everyLetterIsOnTheTopicWithItsContextWhenSendReturns() {
        String topic = "dlt-" + UUID.randomUUID();
        DeadLetters letters = new DeadLetters(topic, Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers));
        try {
            letters.send(List.of(letter("1", "{\"email\": \"a\"}"), letter("2", null)));
        } finally {
            letters.close();
        }

        List<ConsumerRecord<String, byte[]>> records = read(topic, 2);
        assertEquals(List.of("1", "2"), records.stream().map(r -> header(r, "eddy.dlt.primary-key")).toList());
        assertEquals("sync-4", records.get(0).key());
        assertEquals("{\"email\": \"a\"}", new String(records.get(0).value(), StandardCharsets.UTF_8));
        assertEquals("HTTP 400: bad email", header(records.get(0), "eddy.dlt.reason"));
        assertEquals(null, records.get(1).value(), "a removal carries no data");
    }

    @Test
    void aLetterTheBrokerRefusesFailsTheSend() throws Exception {
        String topic = "dlt-small-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("max.message.bytes", "512"))))
                    .all().get();
        }
        DeadLetters letters = new DeadLetters(topic, Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers));
        try {
            DeadLetters.UnpublishedDeadLetterException e = assertThrows(DeadLetters.UnpublishedDeadLetterException.class,
                    () -> letters.send(List.of(letter("2", "x".repeat(4096)))));

            assertTrue(e.getMessage().startsWith("1 of 1 dead letters were not acknowledged"), e.getMessage());
            assertInstanceOf(RecordTooLargeException.class, e.getCause(), "the broker's own refusal");
        } finally {
            letters.close();
        }
    }

    @Test
    void anUnreachableBrokerFailsTheSend() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        DeadLetters letters = new DeadLetters("dlt", Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + closed,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 500));
        try {
            assertThrows(DeadLetters.UnpublishedDeadLetterException.class, () -> letters.send(List.of(letter("1", "{}"))));
        } finally {
            letters.close();
        }
    }

    private List<ConsumerRecord<String, byte[]>> read(String topic, int expected) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.GROUP_ID_CONFIG, "t-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
        }
        return records;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
