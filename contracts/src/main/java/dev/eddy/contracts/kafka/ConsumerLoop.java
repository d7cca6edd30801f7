package dev.eddy.contracts.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One consumer on its own thread: polls, hands each record to a handler, and commits the offsets only
 * after every record of the poll was handled (commit after the effect). A handler that keeps failing is
 * retried with backoff; after the last attempt the record goes to the dead-letter topic with context
 * headers, so nothing is dropped silently: when the broker does not acknowledge that dead letter, the poll's
 * offsets are not committed and its records are read again. Handlers must be idempotent: a crash replays from the last
 * committed offset. A handler that finishes part of its effect in the background (for example events sent
 * without waiting) completes it in {@link Handler#settle()}, which runs before each commit.
 * <p>
 * {@link #isHealthy()} (for readiness) also asks the broker, through the JVM's shared {@link BrokerProbe}: a poll
 * returns nothing, not an error, while the broker is gone, and a group membership is not given up until it is back.
 */
public final class ConsumerLoop<V> implements AutoCloseable {

    /** Handles one record; any exception means "not handled". */
    @FunctionalInterface
    public interface Handler<V> {
        void handle(ConsumerRecord<String, V> record) throws Exception;

        /**
         * Called after every record of a poll was handled and before their offsets are committed: waits until
         * the effects the handler left in the background are done. An exception means they may not be: the
         * offsets are not committed and the poll's records are read again (handlers are idempotent).
         */
        default void settle() throws Exception {
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLoop.class);
    private static final int ATTEMPTS = 6;

    private final String name;
    private final KafkaConsumer<String, V> consumer;
    private final Handler<V> handler;
    private final EventPublisher deadLetters;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final BrokerProbe broker;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean running = true;
    private volatile boolean assigned;

    /**
     * @param deadLetters where records that cannot be handled go; may be null only in tests
     */
    public ConsumerLoop(String name, Map<String, Object> consumerProps, Collection<String> topics,
                        Handler<V> handler, EventPublisher deadLetters) {
        this.name = name;
        this.consumer = new KafkaConsumer<>(consumerProps);
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.consumer.subscribe(topics, new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // offsets are committed after each poll, nothing pending here
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                assigned = true;
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                // out of the group (e.g. the session expired): healthy again once a rebalance assigns partitions
                assigned = false;
            }
        });
        this.broker = BrokerProbe.acquire(String.valueOf(consumerProps.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)));
        this.thread = new Thread(this::run, "consumer-" + name);
        this.thread.setDaemon(true);
    }

    public ConsumerLoop<V> start() {
        thread.start();
        return this;
    }

    /** True while the loop runs, has joined its group, and the broker answers. */
    public boolean isHealthy() {
        return running && thread.isAlive() && assigned && broker.reachable();
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<String, V> records;
                try {
                    records = consumer.poll(Duration.ofMillis(200));
                } catch (RecordDeserializationException e) {
                    LOG.error("{}: a record on {} at offset {} cannot be read and is skipped: {}",
                            name, e.topicPartition(), e.offset(), e.getMessage());
                    if (deadLetter(e.topicPartition().topic(), e.topicPartition().partition(), e.offset(), null, e)) {
                        consumer.seek(e.topicPartition(), e.offset() + 1);
                    }
                    continue;
                }
                boolean done = true;
                for (ConsumerRecord<String, V> record : records) {
                    done &= handleWithRetries(record);
                }
                if (!records.isEmpty()) {
                    if (done && settled()) {
                        consumer.commitSync();
                    } else {
                        rewind(records);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("{}: consumer stopped: {}", name, e.toString(), e);
        } finally {
            running = false;
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("{}: close failed", name, e);
            }
            stopped.countDown();
        }
    }

    private boolean settled() {
        try {
            handler.settle();
            return true;
        } catch (Exception e) {
            LOG.error("{}: the effects of the last records are not confirmed; they are read again: {}",
                    name, e.toString(), e);
            return false;
        }
    }

    private void rewind(ConsumerRecords<String, V> records) {
        for (TopicPartition partition : records.partitions()) {
            consumer.seek(partition, records.records(partition).get(0).offset());
        }
    }

    /** False when the record was neither handled nor taken by the dead-letter topic: its offset must not be committed. */
    private boolean handleWithRetries(ConsumerRecord<String, V> record) {
        long backoff = 100;
        for (int attempt = 1; ; attempt++) {
            try {
                handler.handle(record);
                return true;
            } catch (Exception e) {
                if (attempt >= ATTEMPTS || !running) {
                    LOG.error("{}: record {}-{}@{} failed {} times, sent to the dead-letter topic: {}",
                            name, record.topic(), record.partition(), record.offset(), attempt, e.toString(), e);
                    return deadLetter(record.topic(), record.partition(), record.offset(), record.key(), e);
                }
                LOG.warn("{}: record {}-{}@{} failed (attempt {}), retrying: {}",
                        name, record.topic(), record.partition(), record.offset(), attempt, e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                backoff = Math.min(backoff * 3, 5000);
            }
        }
    }

    /** True once the broker acknowledged the dead letter (or there is no dead-letter topic, in tests). */
    private boolean deadLetter(String topic, int partition, long offset, String key, Exception cause) {
        if (deadLetters == null) {
            return true;
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add("eddy.dlt.topic", topic.getBytes(StandardCharsets.UTF_8));
        headers.add("eddy.dlt.partition", Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
        headers.add("eddy.dlt.offset", Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        headers.add("eddy.dlt.stage", name.getBytes(StandardCharsets.UTF_8));
        headers.add("eddy.dlt.exception", cause.getClass().getName().getBytes(StandardCharsets.UTF_8));
        headers.add("eddy.dlt.message", String.valueOf(cause.getMessage()).getBytes(StandardCharsets.UTF_8));
        try {
            deadLetters.sendRaw(new ProducerRecord<>(dev.eddy.contracts.Topics.DEAD_LETTER, null, key, null, headers))
                    .get(30, TimeUnit.SECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.error("{}: the dead letter of {}-{}@{} was not acknowledged ({}); the record will be read again",
                    name, topic, partition, offset, e.getCause() == null ? e.toString() : e.getCause().toString());
            return false;
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (closed.compareAndSet(false, true)) {
                BrokerProbe.release(broker);
            }
        }
    }
}
