package dev.eddy.scheduler.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.schedule.InvalidScheduleException;
import dev.eddy.contracts.schedule.Schedule;
import dev.eddy.contracts.schedule.ScheduleParser;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the scheduler knows of every sync (and sync sequence, as an entry with id {@code sequence:<id>}), built from
 * the compacted config topic: its schedule (parsed),
 * {@code schedulePaused}, {@code disabled}, and its runnable spec. A schedule that cannot be parsed makes
 * the sync unscheduled (logged once), never a crash.
 */
@jakarta.inject.Singleton
public final class SyncCatalog {

    private static final Logger LOG = Logger.getLogger(SyncCatalog.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One sync as the scheduler sees it.
     *
     * @param fingerprint the schedule JSON with the paused/disabled flags: when it changes, the schedule starts afresh
     * @param version     the sync's {@code updatedAt} in epoch millis, or -1 when its record has none
     */
    public record Entry(String syncId, Schedule schedule, boolean paused, boolean disabled, String fingerprint,
                        String specJson, long version) {

        /** Prefix of the entries of sync sequences: their id is {@code sequence:<id>}, their config key too. */
        public static final String SEQUENCE = "sequence:";

        /** True when time-based slots of this sync may fire. */
        public boolean schedulable() {
            return schedule != null && !paused && !disabled && (specJson != null || isSequence());
        }

        /** True for a sync sequence's entry (fired as a sequence trigger, which config-service runs). */
        public boolean isSequence() {
            return syncId.startsWith(SEQUENCE);
        }

        /** The sequence id of a sequence's entry. */
        public String sequenceId() {
            return syncId.substring(SEQUENCE.length());
        }
    }

    /** Brings the catalog up to the config topic's end as of the call; {@link SyncCatalog} alone has no topic. */
    @FunctionalInterface
    public interface Freshness {
        /** Waits until every config record published before this call is applied; false when it timed out. */
        boolean awaitCurrent();
    }

    private volatile Freshness freshness = () -> true;
    private final Map<String, Entry> syncs = new ConcurrentHashMap<>();
    private final Map<String, String> specs = new ConcurrentHashMap<>();
    // syncs that became disabled or paused: their queued run, if any, may have to be dropped
    private final Set<String> held = ConcurrentHashMap.newKeySet();

    /** Applies one record of the config topic; {@code json} null is a tombstone. */
    public void apply(String kind, String id, String json) {
        switch (kind) {
            case "sync" -> {
                if (json == null) {
                    syncs.remove(id);
                } else {
                    Entry entry = fromSyncJson(id, json, specs.get(id));
                    Entry before = syncs.put(id, entry);
                    if ((entry.disabled() && (before == null || !before.disabled()))
                            || (entry.paused() && (before == null || !before.paused()))) {
                        held.add(id);
                    }
                }
            }
            case "sync-spec" -> {
                if (json == null) {
                    specs.remove(id);
                } else {
                    specs.put(id, json);
                }
                syncs.computeIfPresent(id, (k, e) -> new Entry(e.syncId(), e.schedule(), e.paused(), e.disabled(),
                        e.fingerprint(), json, e.version()));
            }
            case "sequence" -> {
                // a sequence is scheduled like a sync; its runs (the steps) are config-service's
                String key = Entry.SEQUENCE + id;
                if (json == null) {
                    syncs.remove(key);
                } else {
                    syncs.put(key, fromSyncJson(key, json, null));
                }
            }
            default -> {
                // other kinds (sources, models, destinations) are not needed
            }
        }
    }

    /** Sets what {@link #awaitCurrent()} waits on (the config topic reader, once it reads). */
    public void freshness(Freshness freshness) {
        this.freshness = freshness;
    }

    /**
     * Waits until the catalog holds every config record published before this call, so a trigger published
     * right after a config change (an API trigger just after enabling the sync) is judged on that change. A
     * trigger's own copy of the spec is never used instead: the config topic is the scheduler's only source of truth.
     */
    public boolean awaitCurrent() {
        return freshness.awaitCurrent();
    }

    public Entry get(String syncId) {
        return syncs.get(syncId);
    }

    /**
     * Takes the ids of the syncs that became disabled or paused since the last call (every such sync on the first
     * read of the topic), so their queued runs can be looked at; {@link #hold(String)} puts one back.
     */
    public Set<String> takeHeld() {
        Set<String> taken = new java.util.HashSet<>();
        for (String id : held) {
            if (held.remove(id)) {
                taken.add(id);
            }
        }
        return taken;
    }

    /** Marks the sync to be looked at again by the next {@link #takeHeld()}. */
    public void hold(String syncId) {
        held.add(syncId);
    }

    public Collection<Entry> all() {
        return syncs.values();
    }

    /** Syncs and sequences scheduled after dbt Cloud job {@code jobId} of account {@code accountId}. */
    public List<Entry> afterDbtJob(String accountId, String jobId) {
        Schedule.DbtJob wanted = new Schedule.DbtJob(accountId, jobId);
        return syncs.values().stream().filter(e -> wanted.equals(e.schedule())).toList();
    }

    /** Syncs and sequences scheduled after Fivetran connector {@code connectorId}. */
    public List<Entry> afterFivetranConnector(String connectorId) {
        Schedule.FivetranConnector wanted = new Schedule.FivetranConnector(connectorId);
        return syncs.values().stream().filter(e -> wanted.equals(e.schedule())).toList();
    }

    static Entry fromSyncJson(String id, String json, String specJson) {
        JsonNode sync;
        try {
            sync = JSON.readTree(json);
        } catch (IOException e) {
            LOG.warnf("Sync %s: its config record is not JSON; it stays unscheduled", id);
            return new Entry(id, null, false, false, "unreadable", specJson, -1);
        }
        JsonNode scheduleJson = sync.get("schedule");
        boolean paused = sync.path("schedulePaused").asBoolean(false);
        boolean disabled = sync.path("disabled").asBoolean(false);
        Schedule schedule;
        try {
            schedule = ScheduleParser.parse(scheduleJson);
        } catch (InvalidScheduleException e) {
            LOG.warnf("Sync %s: %s; it stays unscheduled until the schedule is fixed", id, e.getMessage());
            schedule = null;
        } catch (RuntimeException e) {
            // a record the parser did not foresee must not stop the config reader (and with it every schedule)
            LOG.errorf("Sync %s: its schedule cannot be read (%s); it stays unscheduled until it is fixed", id, e.toString());
            schedule = null;
        }
        String fingerprint = String.valueOf(scheduleJson) + "|paused=" + paused + "|disabled=" + disabled;
        return new Entry(id, schedule, paused, disabled, fingerprint, specJson, version(sync.path("updatedAt").asText(null)));
    }

    private static long version(String updatedAt) {
        if (updatedAt == null) {
            return -1;
        }
        try {
            return java.time.Instant.parse(updatedAt).toEpochMilli();
        } catch (java.time.DateTimeException e) {
            return -1;
        }
    }
}
