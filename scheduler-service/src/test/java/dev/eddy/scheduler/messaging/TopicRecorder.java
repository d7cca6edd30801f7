package dev.eddy.scheduler.messaging;

import dev.eddy.contracts.kafka.KafkaSettings;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Test consumer: records every value of one topic from its beginning, in a fresh consumer group. */
final class TopicRecorder<V> implements AutoCloseable {

    private final KafkaConsumer<String, V> consumer;
    private final List<V> values = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    TopicRecorder(String bootstrapServers, String topic) {
        consumer = new KafkaConsumer<>(KafkaSettings.consumer(bootstrapServers, Optional.empty(),
                "test-recorder-" + UUID.randomUUID()));
        consumer.subscribe(List.of(topic));
        thread = new Thread(this::run, "recorder-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    @SuppressWarnings("unchecked")
    private void run() {
        try {
            while (running) {
                try {
                    consumer.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.value()));
                } catch (RecordDeserializationException e) {
                    System.err.println("unreadable record skipped by the test recorder: " + e.getCause());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    List<V> matching(Predicate<V> filter) {
        return values.stream().filter(filter).collect(Collectors.toList());
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
