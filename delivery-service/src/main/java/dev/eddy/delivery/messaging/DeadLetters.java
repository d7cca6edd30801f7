package dev.eddy.delivery.messaging;

import dev.eddy.contracts.Topics;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Publishes rows delivery could not deliver (rejected or failed) to {@link Topics#DEAD_LETTER}, keyed by the
 * sync id, the value the row's data as JSON (null for a removal), with context headers
 * {@code eddy.dlt.stage=delivery}, {@code eddy.dlt.sync-id}, {@code eddy.dlt.run-id}, {@code eddy.dlt.op},
 * {@code eddy.dlt.primary-key}, {@code eddy.dlt.status}, {@code eddy.dlt.reason} and
 * {@code eddy.dlt.destination-type}, so nothing is dropped silently.
 */
@ApplicationScoped
public class DeadLetters {

    /** One undeliverable row and why. */
    public record Letter(String syncId, String runId, String destinationType, String op, String primaryKey,
                         String status, String reason, String dataJson) {
    }

    private final KafkaProducer<String, byte[]> producer;

    public DeadLetters(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.CLIENT_ID_CONFIG, "eddy-delivery-dead-letters"));
    }

    /** Sends the letters and waits until the broker has them all. */
    public void send(Iterable<Letter> letters) {
        boolean any = false;
        for (Letter letter : letters) {
            RecordHeaders headers = new RecordHeaders();
            add(headers, "eddy.dlt.stage", "delivery");
            add(headers, "eddy.dlt.sync-id", letter.syncId());
            add(headers, "eddy.dlt.run-id", letter.runId());
            add(headers, "eddy.dlt.destination-type", letter.destinationType());
            add(headers, "eddy.dlt.op", letter.op());
            add(headers, "eddy.dlt.primary-key", letter.primaryKey());
            add(headers, "eddy.dlt.status", letter.status());
            add(headers, "eddy.dlt.reason", letter.reason());
            byte[] value = letter.dataJson() == null ? null : letter.dataJson().getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(Topics.DEAD_LETTER, null, letter.syncId(), value, headers));
            any = true;
        }
        if (any) {
            producer.flush();
        }
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.add(name, String.valueOf(value).getBytes(StandardCharsets.UTF_8));
    }

    void close(@Observes ShutdownEvent event) {
        producer.close();
    }
}
