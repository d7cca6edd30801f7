package dev.eddy.contracts.kafka;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Publishes Avro events; thread-safe, one per service. */
public final class EventPublisher implements AutoCloseable {

    private final KafkaProducer<String, Object> producer;

    public EventPublisher(Map<String, Object> producerProps) {
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

    /** Sends a record as it is; the future completes when the broker acknowledged it (or failed). */
    Future<RecordMetadata> sendRaw(ProducerRecord<String, Object> record) {
        try {
            return producer.send(record);
        } catch (RuntimeException e) {
            // refused before sending (no metadata in time, a closed producer): as good as refused by the broker
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
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
            throw new IllegalStateException("the broker did not acknowledge the event within 30 s", e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
