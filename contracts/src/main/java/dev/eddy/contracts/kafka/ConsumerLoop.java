package dev.eddy.contracts.kafka;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.failure.Backoff;
import dev.eddy.contracts.failure.FailureText;
import dev.eddy.contracts.failure.Failures;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One consumer on its own thread: polls, hands each record to a handler, and commits the offsets only after every
 * record of the poll was handled and the handler's {@link Handler#settle()} confirmed what it left in the background
 * (commit after the effect). Handlers must be idempotent: a crash replays from the last committed offset.
 * <p>
 * <b>Failures</b> are told apart by {@link Failures}:
 * <ul>
 *   <li><b>transient</b> (Eddy's database or the broker not answering for now): consumption is paused
 *       ({@code consumer.pause(assignment)}) and the same record is tried again with exponential backoff and jitter
 *       (capped at {@link Options#maxBackoff()}, 5 s by default) for as long as it takes, while the loop keeps
 *       calling {@code poll} so it stays in its group. Never skipped, never dead-lettered; later records wait, so the
 *       order holds. The first failure is logged at WARN with its cause, then one line per
 *       {@link Options#logInterval()} (30 s). Should the record's partition be revoked meanwhile, the record is
 *       abandoned: its new owner reads it again from the committed offset.</li>
 *   <li><b>permanent</b> (a record that cannot be decoded, a handler bug): the record goes to
 *       {@link Topics#DEAD_LETTER} <b>as it was read</b> (key, value and headers byte for byte: the loop reads bytes
 *       and decodes them with the configured deserializers itself) plus the context headers of
 *       {@link DeadLetterHeaders}; once the broker acknowledged that letter (retried in place until it does: the
 *       offset is never committed before), {@link Handler#deadLettered} tells the handler, and the offset moves on.</li>
 * </ul>
 * Transient errors of {@code poll} and {@code commitSync} (a rebalance, a commit timeout while the broker restarts,
 * {@code max.poll.interval.ms} exceeded) are recovered in place: the records whose offsets could not be committed are
 * read again. Any other error stops the loop for good: {@link #isAlive()} turns false (the services' liveness checks
 * go DOWN and the launcher restarts the service).
 * <p>
 * {@link #isHealthy()} (for readiness) also asks the broker, through the JVM's shared {@link BrokerProbe}: a poll
 * returns nothing, not an error, while the broker is gone, and a group membership is not given up until it is back.
 */
public final class ConsumerLoop<V> implements AutoCloseable {

    /** Handles one record; any exception means "not handled" (see the class comment for what happens next). */
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

        /**
         * A record this handler failed on permanently, or that could not be decoded (its value is then null), is on
         * the dead-letter topic (acknowledged); its offset is committed after this returns. Here the handler ends the
         * run the record belongs to. A transient failure is retried like a record's; a permanent one is logged.
         */
        default void deadLettered(ConsumerRecord<String, V> record, Throwable cause) throws Exception {
        }
    }

    /**
     * How the loop waits out transient failures.
     *
     * @param initialBackoff the first wait; each further failure doubles it
     * @param maxBackoff     the longest wait between two attempts
     * @param logInterval    at most one log line per this interval about one thing being retried
     * @param clock          for the log throttling
     */
    public record Options(Duration initialBackoff, Duration maxBackoff, Duration logInterval, Clock clock) {
        public static Options defaults() {
            return new Options(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(30), Clock.systemUTC());
        }
    }

    /** The {@code errorCode} of a run a service ended because one of its records went to the dead-letter topic. */
    public static final String DEAD_LETTERED = "DEAD_LETTERED";

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLoop.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    private static final long DEAD_LETTER_ACK_SECONDS = 30;

    /** Unwinds the loop thread once {@link #close()} was called. */
    private static final class Closing extends RuntimeException {
        Closing() {
            super(null, null, false, false);
        }
    }

    private final String name;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Deserializer<String> keys;
    private final Deserializer<V> values;
    private final Handler<V> handler;
    private final EventPublisher deadLetters;
    private final Options options;
    private final Backoff backoff;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final BrokerProbe broker;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean running = true;
    private volatile boolean assigned;
    /** Why the loop stopped when it could not recover; null while it runs or after a close. */
    private volatile Throwable failure;
    /** Partitions revoked or lost since the current poll's records came; the loop thread's only. */
    private final Set<TopicPartition> revoked = new HashSet<>();
    /** True while consumption is paused for a retry; the loop thread's only. */
    private boolean paused;
    private final RetryLog pollFailures;
    private final RetryLog settleFailures;

    /**
     * @param consumerProps the consumer's settings; its key and value deserializers decode what the loop reads as
     *                      bytes (so a dead letter keeps the bytes)
     * @param deadLetters   where records that cannot be handled go; may be null only in tests
     */
    public ConsumerLoop(String name, Map<String, Object> consumerProps, Collection<String> topics,
                        Handler<V> handler, EventPublisher deadLetters) {
        this(name, consumerProps, topics, handler, deadLetters, Options.defaults());
    }

    public ConsumerLoop(String name, Map<String, Object> consumerProps, Collection<String> topics,
                        Handler<V> handler, EventPublisher deadLetters, Options options) {
        this.name = name;
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.options = options;
        this.backoff = new Backoff(options.initialBackoff(), options.maxBackoff());
        this.pollFailures = new RetryLog(options.clock(), options.logInterval());
        this.settleFailures = new RetryLog(options.clock(), options.logInterval());
        Map<String, Object> props = new HashMap<>(consumerProps);
        this.keys = deserializer(props, ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, true);
        this.values = deserializer(props, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, false);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(props);
        this.consumer.subscribe(topics, new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // offsets are committed after each poll; what is handled but not committed is read again by the owner
                revoked.addAll(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                assigned = true;
                if (paused) {
                    // a retry is waiting: nothing is read, from the new partitions either, until it is done
                    consumer.pause(partitions);
                }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                // out of the group (e.g. the session expired): healthy again once a rebalance assigns partitions
                revoked.addAll(partitions);
                assigned = false;
            }
        });
        this.broker = BrokerProbe.acquire(String.valueOf(consumerProps.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)));
        this.thread = new Thread(this::run, "consumer-" + name);
        this.thread.setDaemon(true);
    }

    /**
     * The error text of a run ended by {@link Handler#deadLettered}: e.g. {@code diff-service could not handle row
     * batch 3 of run 42: IllegalArgumentException: ...; the record (eddy.rows.v1 partition 1 offset 17) is in
     * eddy.dead-letter.v1 (./eddy dlq list)}; safe text, at most 2 KB.
     */
    public static String deadLetterError(String service, String what, ConsumerRecord<?, ?> record, Throwable cause) {
        String where = "; the record (" + record.topic() + " partition " + record.partition() + " offset "
                + record.offset() + ") is in " + Topics.DEAD_LETTER + " (./eddy dlq list)";
        return FailureText.safe(service + " could not handle " + what + ": " + FailureText.describe(cause, 1536), 1900)
                + where;
    }

    public ConsumerLoop<V> start() {
        thread.start();
        return this;
    }

    /** True while the loop runs, has joined its group, and the broker answers. */
    public boolean isHealthy() {
        return running && isAlive() && assigned && broker.reachable();
    }

    /**
     * True while the loop's thread runs and has not stopped on a failure it cannot recover from (for liveness: a
     * loop that is not alive never consumes again; its service must be restarted). Transient failures, a broker
     * that is away, a rebalance leave it alive.
     */
    public boolean isAlive() {
        return failure == null && thread.isAlive();
    }

    /** Why the loop stopped, when it stopped on a failure it could not recover from. */
    public Optional<String> failure() {
        Throwable f = failure;
        return f == null ? Optional.empty() : Optional.of(FailureText.describe(f, 1024));
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = poll(POLL_TIMEOUT);
                if (!records.isEmpty()) {
                    handleAll(records);
                }
            }
        } catch (Closing e) {
            // closing
        } catch (Throwable e) {
            if (running) {
                failure = e;
                LOG.error("{}: consumer stopped and does not consume any more (liveness DOWN; a restart resumes from "
                        + "the committed offsets): {}", name, e.toString(), e);
            }
        } finally {
            running = false;
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("{}: close failed", name, e);
            }
            closeQuietly(keys);
            closeQuietly(values);
            stopped.countDown();
        }
    }

    /** Polls; a transient error of the poll is logged and answered with no records (nothing was read). */
    private ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        try {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(timeout);
            if (pollFailures.failures() > 0) {
                LOG.info("{}: polling works again after {} failures", name, pollFailures.failures());
                pollFailures.reset();
            }
            return records;
        } catch (WakeupException | InterruptException e) {
            if (!running) {
                throw new Closing();
            }
            Thread.interrupted();
            return ConsumerRecords.empty();
        } catch (RuntimeException e) {
            if (!recoverable(e)) {
                throw e;
            }
            RetryLog.Verdict verdict = pollFailures.failed();
            if (verdict != RetryLog.Verdict.QUIET) {
                LOG.warn("{}: poll failed ({} in a row), trying again: {}", name, pollFailures.failures(), e.toString(),
                        verdict == RetryLog.Verdict.FIRST ? e : null);
            }
            sleep(backoff.delay(pollFailures.failures()));
            return ConsumerRecords.empty();
        }
    }

    private static boolean recoverable(RuntimeException e) {
        return Failures.isTransient(e) || e instanceof CommitFailedException;
    }

    private void handleAll(ConsumerRecords<byte[], byte[]> records) {
        revoked.clear();
        Map<TopicPartition, Long> first = new LinkedHashMap<>();
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        try {
            for (ConsumerRecord<byte[], byte[]> record : records) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (revoked.contains(partition)) {
                    continue;
                }
                first.putIfAbsent(partition, record.offset());
                if (process(record, partition)) {
                    done.put(partition, new OffsetAndMetadata(record.offset() + 1));
                } else if (!running) {
                    return;
                }
            }
            done.keySet().removeAll(revoked);
            if (done.isEmpty() || !running) {
                return;
            }
            if (!settled()) {
                rewind(first);
                pauseFor(backoff.delay(settleFailures.failures()), null);
                return;
            }
            commit(done, first);
        } finally {
            if (running) {
                resume();
            }
        }
    }

    /**
     * Handles one record, waiting out transient failures and dead-lettering it on a permanent one. False when it was
     * abandoned (its partition was revoked, or the loop is closing): its offset must not be committed.
     */
    private boolean process(ConsumerRecord<byte[], byte[]> raw, TopicPartition partition) {
        RetryLog attempts = new RetryLog(options.clock(), options.logInterval());
        ConsumerRecord<String, V> decoded = null;
        Throwable permanent = null;
        while (decoded == null && permanent == null) {
            try {
                decoded = decode(raw);
            } catch (Throwable e) {
                rethrowFatal(e);
                if (!running) {
                    return false;
                }
                if (!Failures.isTransient(e)) {
                    permanent = e;
                } else if (!retryLater(raw, partition, attempts, "decoding (a transient failure)", e)) {
                    return false;
                }
            }
        }
        while (permanent == null) {
            try {
                handler.handle(decoded);
                if (attempts.failures() > 0) {
                    LOG.info("{}: record {}-{}@{} handled after {} failed attempts over {} s; consumption resumes",
                            name, raw.topic(), raw.partition(), raw.offset(), attempts.failures(), attempts.since().toSeconds());
                }
                resume();
                return true;
            } catch (Throwable e) {
                rethrowFatal(e);
                if (!running) {
                    // closing: neither retried nor dead-lettered; read again from the committed offset after the restart
                    return false;
                }
                if (!Failures.isTransient(e)) {
                    permanent = e;
                } else if (!retryLater(raw, partition, attempts, "handling (a transient failure)", e)) {
                    return false;
                }
            }
        }
        boolean done = deadLetter(raw, partition, decoded, permanent);
        resume();
        return done;
    }

    /** Logs the failure (throttled) and waits before the next attempt, consumption paused. False: abandon the record. */
    private boolean retryLater(ConsumerRecord<byte[], byte[]> raw, TopicPartition partition, RetryLog attempts,
                               String what, Throwable cause) {
        RetryLog.Verdict verdict = attempts.failed();
        String record = raw.topic() + "-" + raw.partition() + "@" + raw.offset();
        if (verdict == RetryLog.Verdict.FIRST) {
            LOG.warn("{}: {} record {} failed; consumption is paused and it is tried again until it succeeds: {}",
                    name, what, record, FailureText.describe(cause), cause);
        } else if (verdict == RetryLog.Verdict.AGAIN) {
            LOG.warn("{}: {} record {} still fails after {} attempts over {} s, trying again: {}", name, what, record,
                    attempts.failures(), attempts.since().toSeconds(), FailureText.describe(cause));
        }
        if (!pauseFor(backoff.delay(attempts.failures()), partition)) {
            if (running) {
                LOG.info("{}: {} was revoked while record {} waited to be tried again; its new owner reads it again",
                        name, partition, record);
            }
            return false;
        }
        return true;
    }

    /**
     * Sends the record to the dead-letter topic as it was read, with context headers, until the broker acknowledges
     * it; then tells the handler. False when the record was abandoned before its letter was acknowledged.
     */
    private boolean deadLetter(ConsumerRecord<byte[], byte[]> raw, TopicPartition partition,
                               ConsumerRecord<String, V> decoded, Throwable cause) {
        boolean undecodable = decoded == null;
        LOG.error("{}: record {}-{}@{} {}; it goes to the dead-letter topic {}: {}", name, raw.topic(), raw.partition(),
                raw.offset(), undecodable ? "cannot be decoded" : "failed permanently", Topics.DEAD_LETTER,
                FailureText.describe(cause), cause);
        RetryLog sending = new RetryLog(options.clock(), options.logInterval());
        for (Throwable refused = sendDeadLetter(raw, undecodable, cause); refused != null;
             refused = sendDeadLetter(raw, undecodable, cause)) {
            if (!running || !retryLater(raw, partition, sending,
                    "sending the dead letter (not acknowledged: its offset is not committed) of", refused)) {
                return false;
            }
        }
        ConsumerRecord<String, V> subject = undecodable ? undecoded(raw) : decoded;
        RetryLog reporting = new RetryLog(options.clock(), options.logInterval());
        while (true) {
            try {
                handler.deadLettered(subject, cause);
                return true;
            } catch (Throwable e) {
                rethrowFatal(e);
                if (!running) {
                    return false;
                }
                if (!Failures.isTransient(e)) {
                    LOG.error("{}: record {}-{}@{} is dead-lettered but its handler could not act on it: {}", name,
                            raw.topic(), raw.partition(), raw.offset(), FailureText.describe(e), e);
                    return true;
                }
                if (!retryLater(raw, partition, reporting, "reporting the dead letter (a transient failure) of", e)) {
                    return false;
                }
            }
        }
    }

    /** Null once the broker acknowledged the dead letter (or there is no dead-letter topic, in tests); else why not. */
    private Throwable sendDeadLetter(ConsumerRecord<byte[], byte[]> raw, boolean undecodable, Throwable cause) {
        if (deadLetters == null) {
            return null;
        }
        RecordHeaders headers = new RecordHeaders(raw.headers().toArray());
        DeadLetterHeaders.add(headers, DeadLetterHeaders.TOPIC, raw.topic());
        DeadLetterHeaders.add(headers, DeadLetterHeaders.PARTITION, Integer.toString(raw.partition()));
        DeadLetterHeaders.add(headers, DeadLetterHeaders.OFFSET, Long.toString(raw.offset()));
        DeadLetterHeaders.add(headers, DeadLetterHeaders.TIMESTAMP, Long.toString(raw.timestamp()));
        DeadLetterHeaders.add(headers, DeadLetterHeaders.STAGE, name);
        DeadLetterHeaders.add(headers, DeadLetterHeaders.FAILURE,
                undecodable ? DeadLetterHeaders.UNDECODABLE : DeadLetterHeaders.HANDLER);
        DeadLetterHeaders.add(headers, DeadLetterHeaders.EXCEPTION, cause.getClass().getName());
        DeadLetterHeaders.add(headers, DeadLetterHeaders.MESSAGE, FailureText.describe(cause));
        try {
            deadLetters.sendBytes(new ProducerRecord<>(Topics.DEAD_LETTER, null, raw.key(), raw.value(), headers))
                    .get(DEAD_LETTER_ACK_SECONDS, TimeUnit.SECONDS);
            return null;
        } catch (InterruptedException e) {
            Thread.interrupted();
            return e;
        } catch (ExecutionException e) {
            return e.getCause() == null ? e : e.getCause();
        } catch (TimeoutException e) {
            return e;
        }
    }

    private boolean settled() {
        try {
            handler.settle();
            settleFailures.reset();
            return true;
        } catch (Throwable e) {
            rethrowFatal(e);
            RetryLog.Verdict verdict = settleFailures.failed();
            if (verdict != RetryLog.Verdict.QUIET) {
                LOG.error("{}: the effects of the last records are not confirmed ({} times in a row); they are read "
                                + "again: {}", name, settleFailures.failures(), FailureText.describe(e),
                        verdict == RetryLog.Verdict.FIRST ? e : null);
            }
            return false;
        }
    }

    /** Commits, waiting out transient commit failures; a commit the group refused has the records read again. */
    private void commit(Map<TopicPartition, OffsetAndMetadata> done, Map<TopicPartition, Long> first) {
        RetryLog failures = new RetryLog(options.clock(), options.logInterval());
        while (true) {
            done.keySet().removeAll(revoked);
            if (done.isEmpty()) {
                return;
            }
            try {
                consumer.commitSync(done);
                if (failures.failures() > 0) {
                    LOG.info("{}: offsets committed after {} failed attempts", name, failures.failures());
                }
                return;
            } catch (CommitFailedException e) {
                // the group rebalanced past this member (e.g. max.poll.interval.ms exceeded): read them again
                LOG.warn("{}: the offsets of the last records could not be committed, they are read again: {}",
                        name, e.getMessage());
                rewind(first);
                return;
            } catch (WakeupException | InterruptException e) {
                if (!running) {
                    throw new Closing();
                }
                Thread.interrupted();
            } catch (RuntimeException e) {
                if (!Failures.isTransient(e)) {
                    throw e;
                }
                RetryLog.Verdict verdict = failures.failed();
                if (verdict != RetryLog.Verdict.QUIET) {
                    LOG.warn("{}: committing offsets failed ({} in a row), trying again: {}", name,
                            failures.failures(), e.toString(), verdict == RetryLog.Verdict.FIRST ? e : null);
                }
                if (!pauseFor(backoff.delay(failures.failures()), null)) {
                    return;
                }
            }
        }
    }

    /** Seeks the partitions of the last poll that this consumer still owns back to their first record of it. */
    private void rewind(Map<TopicPartition, Long> first) {
        Set<TopicPartition> owned = consumer.assignment();
        first.forEach((partition, offset) -> {
            if (!revoked.contains(partition) && owned.contains(partition)) {
                consumer.seek(partition, offset);
            }
        });
    }

    /**
     * Waits, consumption paused, polling so the consumer stays in its group (a paused partition returns nothing).
     * False when the loop is closing or {@code watched} was revoked meanwhile.
     */
    private boolean pauseFor(Duration delay, TopicPartition watched) {
        if (!paused) {
            consumer.pause(consumer.assignment());
            paused = true;
        }
        long deadline = System.nanoTime() + delay.toNanos();
        while (running) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return true;
            }
            giveBack(poll(Duration.ofNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1)))));
            if (watched != null && revoked.contains(watched)) {
                return false;
            }
        }
        return false;
    }

    /** Records a paused poll should not have returned: read them again after the wait. */
    private void giveBack(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            consumer.seek(partition, records.records(partition).get(0).offset());
        }
    }

    private void resume() {
        if (paused) {
            consumer.resume(consumer.paused());
            paused = false;
        }
    }

    private ConsumerRecord<String, V> decode(ConsumerRecord<byte[], byte[]> raw) {
        String key = raw.key() == null ? null : keys.deserialize(raw.topic(), raw.headers(), raw.key());
        V value = raw.value() == null ? null : values.deserialize(raw.topic(), raw.headers(), raw.value());
        return withKeyAndValue(raw, key, value);
    }

    /** The record for {@link Handler#deadLettered} when its value cannot be decoded: the key if it can be, no value. */
    private ConsumerRecord<String, V> undecoded(ConsumerRecord<byte[], byte[]> raw) {
        String key;
        try {
            key = raw.key() == null ? null : keys.deserialize(raw.topic(), raw.headers(), raw.key());
        } catch (RuntimeException e) {
            key = null;
        }
        return withKeyAndValue(raw, key, null);
    }

    private static <V> ConsumerRecord<String, V> withKeyAndValue(ConsumerRecord<byte[], byte[]> raw, String key, V value) {
        return new ConsumerRecord<>(raw.topic(), raw.partition(), raw.offset(), raw.timestamp(), raw.timestampType(),
                raw.serializedKeySize(), raw.serializedValueSize(), key, value, raw.headers(), raw.leaderEpoch());
    }

    /** Errors of the JVM itself are no record's fault: the loop stops (and the service is restarted). */
    private static void rethrowFatal(Throwable e) {
        if (e instanceof VirtualMachineError || e instanceof LinkageError) {
            throw (Error) e;
        }
        if (e instanceof Closing closing) {
            throw closing;
        }
    }

    private void sleep(Duration delay) {
        long deadline = System.nanoTime() + delay.toNanos();
        while (running) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            } catch (InterruptedException e) {
                if (!running) {
                    throw new Closing();
                }
            }
        }
        throw new Closing();
    }

    @SuppressWarnings("unchecked")
    private static <T> Deserializer<T> deserializer(Map<String, Object> props, String setting, boolean isKey) {
        Object configured = props.get(setting);
        Deserializer<T> deserializer;
        try {
            if (configured instanceof Deserializer<?> instance) {
                deserializer = (Deserializer<T>) instance;
            } else if (configured instanceof Class<?> type) {
                deserializer = (Deserializer<T>) Utils.newInstance(type);
            } else if (configured instanceof String className && !className.isBlank()) {
                deserializer = Utils.newInstance(className.trim(), Deserializer.class);
            } else {
                throw new IllegalArgumentException(setting + " is not set");
            }
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(setting + ": " + e.getMessage(), e);
        }
        deserializer.configure(props, isKey);
        return deserializer;
    }

    private void closeQuietly(Deserializer<?> deserializer) {
        try {
            deserializer.close();
        } catch (RuntimeException e) {
            LOG.debug("{}: closing a deserializer failed", name, e);
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread.getState() == Thread.State.NEW) {
            consumer.close(Duration.ofSeconds(5));
            closeQuietly(keys);
            closeQuietly(values);
            stopped.countDown();
        } else {
            consumer.wakeup();
        }
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
