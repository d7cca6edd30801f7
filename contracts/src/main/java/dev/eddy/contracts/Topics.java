package dev.eddy.contracts;

import dev.eddy.contracts.kafka.RecordLimits;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Names of every topic the services exchange events on; the version suffix changes only with an incompatible schema. */
public final class Topics {
    /** Compacted: the new full state of each config object, key {@code <kind>:<id>}; tombstone on delete. */
    public static final String CONFIG = "eddy.config.v1";
    /** {@link dev.eddy.contracts.avro.TriggerEvent}s from the API, schedules, webhook bridges and external producers. */
    public static final String TRIGGERS = "eddy.triggers.v1";
    /** {@link dev.eddy.contracts.avro.RunRequest}s released by the scheduler. */
    public static final String RUN_REQUESTS = "eddy.run-requests.v1";
    /** {@link dev.eddy.contracts.avro.RowBatch}es of query results from the extractor. */
    public static final String ROWS = "eddy.rows.v1";
    /** {@link dev.eddy.contracts.avro.ChangeBatch}es of change sets from the diff. */
    public static final String CHANGES = "eddy.changes.v1";
    /** {@link dev.eddy.contracts.avro.DeliveryResult}s: per-row outcomes from delivery. */
    public static final String DELIVERY_RESULTS = "eddy.delivery-results.v1";
    /** {@link dev.eddy.contracts.avro.RunEvent}s: run progress and each run's terminal event. */
    public static final String RUN_EVENTS = "eddy.run-events.v1";
    /** Undeliverable events, with context headers (topic, partition, offset, stage, exception class). */
    public static final String DEAD_LETTER = "eddy.dead-letter.v1";

    /** Every topic, for launchers that create them up front. */
    public static final List<String> ALL = List.of(CONFIG, TRIGGERS, RUN_REQUESTS, ROWS, CHANGES, DELIVERY_RESULTS, RUN_EVENTS, DEAD_LETTER);

    /**
     * Topic-level settings Eddy relies on, by topic (topics not named take the broker's defaults): the config topic
     * must be compacted, or the newest state of each object (and each delete) would be lost to retention.
     */
    public static final Map<String, Map<String, String>> REQUIRED_SETTINGS = Map.of(CONFIG, Map.of("cleanup.policy", "compact"));

    /** The topics whose records are batches of rows, bounded by {@code eddy.kafka.max-record-bytes}, and their dead letters. */
    public static final List<String> BATCH_TOPICS = List.of(ROWS, CHANGES, DELIVERY_RESULTS, DEAD_LETTER);

    /**
     * {@link #REQUIRED_SETTINGS} plus the batch topics' {@code max.message.bytes} derived from the record bound
     * ({@link RecordLimits#topicMaxMessageBytes}), so the topics take every record the
     * services may publish under that bound, whatever the broker's own {@code message.max.bytes}.
     */
    public static Map<String, Map<String, String>> requiredSettings(int maxRecordBytes) {
        Map<String, Map<String, String>> settings = new HashMap<>(REQUIRED_SETTINGS);
        String maxMessageBytes = String.valueOf(RecordLimits.topicMaxMessageBytes(maxRecordBytes));
        for (String topic : BATCH_TOPICS) {
            Map<String, String> topicSettings = new HashMap<>(settings.getOrDefault(topic, Map.of()));
            topicSettings.put("max.message.bytes", maxMessageBytes);
            settings.put(topic, Map.copyOf(topicSettings));
        }
        return Map.copyOf(settings);
    }

    private Topics() {
    }
}
