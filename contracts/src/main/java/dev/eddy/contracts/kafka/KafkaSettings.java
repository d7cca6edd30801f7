package dev.eddy.contracts.kafka;

import dev.eddy.contracts.registry.ContractSchemaResolver;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Client settings shared by every service: string keys, Avro values through the Apicurio serde, with
 * the registry-less {@link ContractSchemaResolver} unless a registry URL is given.
 */
public final class KafkaSettings {

    private KafkaSettings() {
    }

    /** Producer settings with the default record bound ({@link RecordLimits#DEFAULT_MAX_RECORD_BYTES}). */
    public static Map<String, Object> producer(String bootstrapServers, Optional<String> registryUrl, String clientId) {
        return producer(bootstrapServers, registryUrl, clientId, RecordLimits.DEFAULT_MAX_RECORD_BYTES);
    }

    /**
     * Producer settings: idempotent, acks=all, Avro values, {@code max.request.size} derived from the service's
     * record bound ({@link RecordLimits#maxRequestSize}), so a record the broker would refuse fails in the producer.
     */
    public static Map<String, Object> producer(String bootstrapServers, Optional<String> registryUrl, String clientId,
                                               int maxRecordBytes) {
        Map<String, Object> props = new HashMap<>(serde(registryUrl));
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroKafkaSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, RecordLimits.maxRequestSize(maxRecordBytes));
        return props;
    }

    /** Consumer settings: manual commits (commit after the effect), earliest offset for a new group. */
    public static Map<String, Object> consumer(String bootstrapServers, Optional<String> registryUrl, String groupId) {
        Map<String, Object> props = new HashMap<>(serde(registryUrl));
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroKafkaDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        return props;
    }

    /** Admin client settings: requests time out within seconds, so a missing broker is noticed quickly. */
    public static Map<String, Object> admin(String bootstrapServers, String clientId) {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        return props;
    }

    private static Map<String, Object> serde(Optional<String> registryUrl) {
        Map<String, Object> props = new HashMap<>();
        props.put("apicurio.registry.use-specific-avro-reader", true);
        if (registryUrl.filter(u -> !u.isBlank()).isPresent()) {
            props.put("apicurio.registry.url", registryUrl.get());
            props.put("apicurio.registry.auto-register", true);
        } else {
            props.put("apicurio.registry.schema-resolver", ContractSchemaResolver.class.getName());
        }
        return props;
    }
}
