package dev.eddy.extractor.messaging;

import dev.eddy.contracts.kafka.KafkaSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test double: records every event on some topics, read by a real consumer in a group of its own. */
public final class TopicRecorder implements AutoCloseable {

    private final KafkaConsumer<String, Object> consumer;
    private final List<Object> events = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    public TopicRecorder(String bootstrapServers, List<String> topics) {
        consumer = new KafkaConsumer<>(KafkaSettings.consumer(bootstrapServers, Optional.empty(),
                "extractor-test-" + UUID.randomUUID()));
        consumer.subscribe(topics);
        thread = new Thread(this::run, "topic-recorder");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, Object> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.value() != null) {
                        events.add(record.value());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** Every recorded event of a type, in arrival order. */
    public <T> List<T> events(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5000);
    }
}
