package dev.eddy.delivery.connector.kafka;

import dev.eddy.contracts.destination.SyncMode;
import dev.eddy.contracts.destination.SyncType;
import dev.eddy.delivery.spi.ConnectorContext;
import dev.eddy.delivery.spi.DeliveryRow;
import dev.eddy.delivery.spi.DestinationConfigurationException;
import dev.eddy.delivery.spi.DeliveryRow.Operation;
import dev.eddy.delivery.spi.DeliverySettings;
import dev.eddy.delivery.spi.RequestThrottle;
import dev.eddy.delivery.spi.WriteOutcome;
import dev.eddy.testsupport.SharedInfrastructure;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The kafka connector against the embedded broker: one record per row keyed by the primary key, tombstones on delete. */
class KafkaTopicConnectorTest {

    private final String servers = SharedInfrastructure.broker().bootstrapServers();
    private final String topic = "dest-" + UUID.randomUUID();

    private KafkaTopicConnector open(String deleteBehavior) throws Exception {
        return open(deleteBehavior, Map.of(), v -> v);
    }

    private KafkaTopicConnector open(String deleteBehavior, Map<String, Object> properties,
                                     dev.eddy.delivery.spi.SecretOpener secrets) throws Exception {
        KafkaTopicConnector connector = new KafkaTopicConnector();
        DeliverySettings settings = new DeliverySettings(SyncType.OBJECT, deleteBehavior, Optional.empty(), List.of("email"),
                "users", 1, RequestThrottle.unlimited());
        connector.open(new ConnectorContext("sync-3", "run-8", SyncMode.UPSERT,
                Map.of("bootstrapServers", servers, "topic", topic, "properties", properties), secrets, settings));
        return connector;
    }

    @Test
    void aConfigProviderThatWouldSendTheSecretKeyToTheBrokerNeverReachesAProducer() {
        var refused = org.junit.jupiter.api.Assertions.assertThrows(DestinationConfigurationException.class,
                () -> open("delete", Map.of("config.providers", "env",
                        "config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
                        "client.id", "${env:EDDY_SECRET_KEY}"), v -> v));
        assertTrue(refused.getMessage().contains("properties."), refused.getMessage());
        assertTrue(refused.getMessage().contains("not allowed"), refused.getMessage());
    }

    @Test
    void aSealedJaasConfigIsCheckedOnceOpened() {
        // validation saw it sealed; opened, it names a login module that reads a keytab file
        var refused = org.junit.jupiter.api.Assertions.assertThrows(DestinationConfigurationException.class,
                () -> open("delete", Map.of("sasl.jaas.config", "sealed:v1:xyz"), v -> v.startsWith("sealed:")
                        ? "com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true keyTab=\"/etc/krb5.keytab\";" : v));
        assertTrue(refused.getMessage().contains("properties.sasl.jaas.config"), refused.getMessage());
    }

    @Test
    void anAllowedSettingIsApplied() throws Exception {
        try (KafkaTopicConnector connector = open("delete", Map.of("compression.type", "gzip", "linger.ms", 0,
                "client.id", "eddy-test-client"), v -> v)) {
            assertEquals(List.of(WriteOutcome.accepted()), connector.write(List.of(
                    new DeliveryRow(Operation.ADDED, "1", Map.of("email", "a@x.io")))));
        }
        assertEquals(List.of("1"), read(1).stream().map(ConsumerRecord::key).toList());
    }

    @Test
    void eachRowIsOneRecordKeyedByItsPrimaryKeyAndRemovalsAreTombstones() throws Exception {
        try (KafkaTopicConnector connector = open("delete")) {
            List<WriteOutcome> outcomes = connector.write(List.of(
                    new DeliveryRow(Operation.ADDED, "1", Map.of("email", "a@x.io")),
                    new DeliveryRow(Operation.CHANGED, "2", Map.of("email", "b@x.io")),
                    new DeliveryRow(Operation.REMOVED, "3", Map.of())));
            assertEquals(List.of(WriteOutcome.accepted(), WriteOutcome.accepted(), WriteOutcome.accepted()), outcomes);
        }

        // keyed records land on several partitions: order holds per key only
        List<ConsumerRecord<String, String>> records = new ArrayList<>(read(3));
        records.sort(java.util.Comparator.comparing(ConsumerRecord::key));
        assertEquals(List.of("1", "2", "3"), records.stream().map(ConsumerRecord::key).toList());
        assertEquals("{\"email\":\"a@x.io\"}", records.get(0).value());
        assertEquals("changed", new String(records.get(1).headers().lastHeader("eddy-op").value(), StandardCharsets.UTF_8));
        assertEquals("run-8", new String(records.get(1).headers().lastHeader("eddy-run-id").value(), StandardCharsets.UTF_8));
        assertNull(records.get(2).value(), "a removal under delete is a tombstone");
    }

    @Test
    void underDoNothingRemovalsAreNotSent() throws Exception {
        try (KafkaTopicConnector connector = open("do_nothing")) {
            assertEquals(List.of(WriteOutcome.accepted(), WriteOutcome.accepted()), connector.write(List.of(
                    new DeliveryRow(Operation.REMOVED, "9", Map.of()),
                    new DeliveryRow(Operation.ADDED, "10", Map.of("email", "c@x.io")))));
        }
        List<ConsumerRecord<String, String>> records = read(1);
        assertEquals(List.of("10"), records.stream().map(ConsumerRecord::key).toList());
    }

    private List<ConsumerRecord<String, String>> read(int expected) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.GROUP_ID_CONFIG, "t-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
            // nothing more than expected arrives
            consumer.poll(Duration.ofMillis(300)).forEach(records::add);
        }
        return records;
    }
}
