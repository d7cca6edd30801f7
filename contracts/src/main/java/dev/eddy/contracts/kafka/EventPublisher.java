package dev.eddy.contracts.kafka;

import dev.eddy.contracts.failure.TransientFailureException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes Avro events; thread-safe, one per service. Also sends records as raw bytes ({@link #sendBytes}, the
 * dead letters of {@link ConsumerLoop}) through a second producer with the same settings, opened on first use.
 */
public final class EventPublisher implements AutoCloseable {

    private final Map<String, Object> producerProps;
    private final KafkaProducer<String, Object> producer;
    private KafkaProducer<byte[], byte[]> bytesProducer;
    private boolean closed;

    public EventPublisher(Map<String, Object> producerProps) {
        this.producerProps = new HashMap<>(producerProps);
        this.producer = new KafkaProducer<>(producerProps);
    }

    /** Sends without waiting; the returned future completes when the broker acknowledged. */
    public Future<RecordMetadata> send(String topic, String key, SpecificRecord value) {
        return producer.send(new ProducerRecord<>(topic, key, value));
    }

    /** Sends and waits for the broker's acknowledgement, so the caller may commit its effect after it. */
    public RecordMetadata sendAndWait(String topic, String key, SpecificRecord value) {
        return await(send(topic, key, value));
    }

    /** Sends a tombstone (null value) and waits. */
    public RecordMetadata tombstone(String topic, String key) {
        return await(producer.send(new ProducerRecord<>(topic, key, null)));
    }

    /**
     * Sends a record of raw bytes (key, value and headers as they are: a dead letter keeps the original record's
     * bytes); the future completes when the broker acknowledged it (or failed).
     */
    Future<RecordMetadata> sendBytes(ProducerRecord<byte[], byte[]> record) {
        try {
            return bytesProducer().send(record);
        } catch (RuntimeException e) {
            // refused before sending (no metadata in time, a closed producer): as good as refused by the broker
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    private synchronized KafkaProducer<byte[], byte[]> bytesProducer() {
        if (closed) {
            throw new IllegalStateException("the publisher is closed");
        }
        if (bytesProducer == null) {
            Map<String, Object> props = new HashMap<>(producerProps);
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            Object clientId = props.get(ProducerConfig.CLIENT_ID_CONFIG);
            props.put(ProducerConfig.CLIENT_ID_CONFIG, (clientId == null ? "eddy" : clientId) + "-bytes");
            bytesProducer = new KafkaProducer<>(props);
        }
        return bytesProducer;
    }

    /** Waits until every record sent so far is acknowledged. */
    public void flush() {
        producer.flush();
    }

    private static RecordMetadata await(Future<RecordMetadata> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the broker refused the event: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new TransientFailureException("the broker did not acknowledge the event within 30 s", e);
        }
    }

    @Override
    public void close() {
        KafkaProducer<byte[], byte[]> bytes;
        synchronized (this) {
            closed = true;
            bytes = bytesProducer;
        }
        if (bytes != null) {
            bytes.close(Duration.ofSeconds(5));
        }
        producer.close(Duration.ofSeconds(5));
    }
}
