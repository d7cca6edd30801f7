package dev.eddy.delivery.messaging;

import dev.eddy.contracts.Topics;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes rows delivery could not deliver (rejected or failed) to {@link Topics#DEAD_LETTER}, keyed by the
 * sync id, the value the row's data as JSON (null for a removal), with context headers
 * {@code eddy.dlt.stage=delivery}, {@code eddy.dlt.sync-id}, {@code eddy.dlt.run-id}, {@code eddy.dlt.op},
 * {@code eddy.dlt.primary-key}, {@code eddy.dlt.status}, {@code eddy.dlt.reason} and
 * {@code eddy.dlt.destination-type}, so nothing is dropped silently: {@link #send} returns only once the broker
 * acknowledged every letter, and throws otherwise, so the batch the letters belong to is not reported nor its
 * offset committed (it is delivered again, and its letters sent again).
 */
@ApplicationScoped
public class DeadLetters {

    /** How long the broker may take to acknowledge the letters of one batch. */
    private static final long ACK_TIMEOUT_SECONDS = 30;

    /** One undeliverable row and why. */
    public record Letter(String syncId, String runId, String destinationType, String op, String primaryKey,
                         String status, String reason, String dataJson) {
    }

    /** The broker did not take a dead letter: the batch it belongs to must be delivered and reported again. */
    public static final class UnpublishedDeadLetterException extends RuntimeException {
        public UnpublishedDeadLetterException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    @Inject
    public DeadLetters(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this(Topics.DEAD_LETTER, Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /** @param producerSettings merged over delivery's (acks=all, string keys, byte values) */
    public DeadLetters(String topic, Map<String, Object> producerSettings) {
        Map<String, Object> settings = new HashMap<>(Map.of(
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.CLIENT_ID_CONFIG, "eddy-delivery-dead-letters",
                // a letter is acknowledged or failed within the time send() waits for it
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TimeUnit.SECONDS.toMillis(ACK_TIMEOUT_SECONDS),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000));
        settings.putAll(producerSettings);
        this.producer = new KafkaProducer<>(settings);
        this.topic = topic;
    }

    /**
     * Sends the letters and waits until the broker has them all.
     *
     * @throws UnpublishedDeadLetterException when the broker refused one or did not acknowledge it in time
     */
    public void send(Iterable<Letter> letters) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
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
            try {
                sent.add(producer.send(new ProducerRecord<>(topic, null, letter.syncId(), value, headers)));
            } catch (RuntimeException e) {
                // refused before sending (no metadata within max.block.ms, a closed producer): as good as refused
                sent.add(CompletableFuture.failedFuture(e));
            }
        }
        // each letter's own acknowledgement, not producer.flush(): flush waits for every record of the producer and
        // without a bound (it hung here on a batch the broker refused as too large and the producer split)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ACK_TIMEOUT_SECONDS);
        int failed = 0;
        Throwable first = null;
        for (Future<RecordMetadata> letter : sent) {
            try {
                letter.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnpublishedDeadLetterException("interrupted while dead letters were sent", e);
            } catch (ExecutionException e) {
                failed++;
                first = first == null ? e.getCause() : first;
            } catch (TimeoutException e) {
                failed++;
                first = first == null ? e : first;
            }
        }
        if (failed > 0) {
            throw new UnpublishedDeadLetterException(failed + " of " + sent.size() + " dead letters were not acknowledged by "
                    + "the broker (" + first + "); the batch is not committed and will be delivered again", first);
        }
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.add(name, String.valueOf(value).getBytes(StandardCharsets.UTF_8));
    }

    void close(@Observes ShutdownEvent event) {
        close();
    }

    /** Closes the producer (the service does it at shutdown). */
    public void close() {
        producer.close();
    }
}
