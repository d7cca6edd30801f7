package dev.eddy.scheduler.messaging;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.ConfigChange;
import dev.eddy.contracts.failure.Failures;
import dev.eddy.scheduler.service.SyncCatalog;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads the compacted config topic twice over: every partition from the beginning into the {@link SyncCatalog}
 * (each instance knows every sync, to route dbt Cloud / Fivetran triggers and fill specs), and, as a member of
 * the consumer group {@code eddy-scheduler-schedules}, which partitions this instance owns. An instance fires
 * the time-based schedules only of the syncs whose {@code sync:<id>} key lies in a partition it owns, so with
 * several instances each sync's schedule has exactly one owner (Kafka's group assignment, not a home-made lock).
 */
public final class ConfigTopicReader implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ConfigTopicReader.class);
    private static final Duration AWAIT_CURRENT = Duration.ofSeconds(10);

    private final SyncCatalog catalog;
    private final String topic;
    private final KafkaConsumer<String, ConfigChange> reader;
    private final KafkaConsumer<String, ConfigChange> membership;
    // asks the broker for the topic's end offsets for awaitCurrent (the reader's consumer belongs to its thread)
    private final KafkaConsumer<String, ConfigChange> endProbe;
    // per partition, the offset up to which the reader applied records to the catalog
    private final Map<TopicPartition, Long> applied = new ConcurrentHashMap<>();
    private volatile List<TopicPartition> partitions = List.of();
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private final Thread readerThread;
    private final Thread membershipThread;
    private volatile boolean running = true;
    private volatile boolean failed;
    private volatile boolean caughtUp;
    private volatile boolean joined;
    private volatile int partitionCount;

    public ConfigTopicReader(SyncCatalog catalog, Map<String, Object> settings, String ownershipGroup) {
        this(catalog, settings, ownershipGroup, Topics.CONFIG);
    }

    /** @param topic the config topic (tests use their own, so other scheduler instances in the JVM stay out) */
    public ConfigTopicReader(SyncCatalog catalog, Map<String, Object> settings, String ownershipGroup, String topic) {
        this.topic = topic;
        this.catalog = catalog;
        Map<String, Object> readerSettings = new HashMap<>(settings);
        readerSettings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        readerSettings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        this.reader = new KafkaConsumer<>(readerSettings);
        this.endProbe = new KafkaConsumer<>(readerSettings);
        Map<String, Object> membershipSettings = new HashMap<>(settings);
        membershipSettings.put(ConsumerConfig.GROUP_ID_CONFIG, ownershipGroup);
        membershipSettings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true);
        membershipSettings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        this.membership = new KafkaConsumer<>(membershipSettings);
        this.readerThread = new Thread(this::read, "config-reader");
        this.membershipThread = new Thread(this::holdMembership, "schedule-ownership");
        readerThread.setDaemon(true);
        membershipThread.setDaemon(true);
    }

    public ConfigTopicReader start() {
        catalog.freshness(() -> awaitCurrent(AWAIT_CURRENT));
        readerThread.start();
        membershipThread.start();
        return this;
    }

    /** True once every record present at start was read into the catalog. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** True while both threads run and this instance has joined the ownership group. */
    public boolean healthy() {
        return running && caughtUp && joined && readerThread.isAlive() && membershipThread.isAlive();
    }

    /** False once a thread stopped on a failure it cannot recover from (true before they start). */
    public boolean alive() {
        return !failed && (readerThread.getState() == Thread.State.NEW || readerThread.isAlive())
                && (membershipThread.getState() == Thread.State.NEW || membershipThread.isAlive());
    }

    /** A poll; a transient error (a timeout, a rebalance) is logged and answered with no records. */
    private static <K, V> ConsumerRecords<K, V> pollRecovering(KafkaConsumer<K, V> consumer, Duration timeout) {
        try {
            return consumer.poll(timeout);
        } catch (RuntimeException e) {
            if (!Failures.isTransient(e)) {
                throw e;
            }
            LOG.warnf("Config topic poll failed, trying again: %s", e.toString());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            return ConsumerRecords.empty();
        }
    }

    /** True when this instance owns the schedule of {@code syncId}: its {@code sync:<id>} key lies in an owned partition. */
    public boolean owns(String syncId) {
        int partitions = partitionCount;
        // a sequence's entry id is already its config key, sequence:<id>
        String key = syncId.startsWith(SyncCatalog.Entry.SEQUENCE) ? syncId : "sync:" + syncId;
        return partitions > 0 && owned.contains(partitionOf(key, partitions));
    }

    /**
     * Waits until the reader applied every record the config topic held when this was called; false (and the
     * catalog as it is) when the broker or the reader is slower than {@code timeout}.
     */
    public boolean awaitCurrent(Duration timeout) {
        List<TopicPartition> known = partitions;
        if (known.isEmpty()) {
            return caughtUp;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> end;
        try {
            synchronized (endProbe) {
                end = endProbe.endOffsets(known, timeout);
            }
        } catch (RuntimeException e) {
            LOG.warnf("Config topic end offsets not read, judging on the config as read: %s", e.toString());
            return false;
        }
        while (running && end.entrySet().stream().anyMatch(e -> applied.getOrDefault(e.getKey(), 0L) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                LOG.warnf("Config topic not read to its end within %s, judging on the config as read", timeout);
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
        }
        return true;
    }

    /** Kafka's default partitioner for a string key (murmur2 of its UTF-8 bytes). */
    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private void read() {
        try {
            List<PartitionInfo> infos = reader.partitionsFor(topic, Duration.ofSeconds(30));
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            partitionCount = partitions.size();
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = reader.endOffsets(partitions);
            this.partitions = partitions;
            while (running) {
                for (ConsumerRecord<String, ConfigChange> record : pollRecovering(reader, Duration.ofMillis(200))) {
                    apply(record);
                }
                for (TopicPartition partition : partitions) {
                    applied.put(partition, reader.position(partition));
                }
                if (!caughtUp && end.entrySet().stream().allMatch(e -> reader.position(e.getKey()) >= e.getValue())) {
                    caughtUp = true;
                    LOG.infof("Config topic read: %d syncs known", catalog.all().size());
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failed = true;
            LOG.errorf(e, "Config reader stopped (liveness DOWN): %s", e.toString());
        } finally {
            running = false;
            reader.close(Duration.ofSeconds(5));
            synchronized (endProbe) {
                endProbe.close(Duration.ofSeconds(5));
            }
        }
    }

    private void apply(ConsumerRecord<String, ConfigChange> record) {
        String key = record.key();
        int colon = key == null ? -1 : key.indexOf(':');
        if (colon < 0) {
            return;
        }
        ConfigChange change = record.value();
        catalog.apply(key.substring(0, colon), key.substring(colon + 1), change == null ? null : change.getJson());
    }

    private void holdMembership() {
        try {
            membership.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    partitions.forEach(p -> owned.remove(p.partition()));
                    LOG.infof("Schedule partitions revoked: %s", partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    partitions.forEach(p -> owned.add(p.partition()));
                    joined = true;
                    LOG.infof("Schedule partitions owned: %s", owned);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    onPartitionsRevoked(partitions);
                }
            });
            while (running) {
                // records are read by the reader thread; polling keeps this member (and its ownership) alive
                pollRecovering(membership, Duration.ofMillis(500));
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failed = true;
            LOG.errorf(e, "Schedule ownership consumer stopped (liveness DOWN): %s", e.toString());
        } finally {
            owned.clear();
            running = false;
            membership.close(Duration.ofSeconds(5));
        }
    }

    @Override
    public void close() {
        running = false;
        owned.clear();
        reader.wakeup();
        membership.wakeup();
        try {
            readerThread.join(10_000);
            membershipThread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
