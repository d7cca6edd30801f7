package dev.eddy.deploy.bench;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.ConfigChange;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.avro.TriggerEvent;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.deploy.ServiceKind;
import dev.eddy.embedded.EmbeddedKafkaBroker;
import dev.eddy.embedded.EmbeddedPostgresServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * {@code ./eddy bench scheduler [--syncs N] [--minutes M] [--instances I] [--partitions P]}: several
 * scheduler-service instances firing N one-minute interval schedules; every due run must be requested exactly
 * once, and how late.
 *
 * <ol>
 *   <li>Starts an embedded PostgreSQL and Kafka broker (every topic with P partitions, the config topic
 *       compacted) and I packaged scheduler-service processes (-Xmx512m) in one deployment: the same database,
 *       the same consumer groups, so Kafka's assignment of the config topic's partitions decides which instance
 *       fires which sync.</li>
 *   <li>Publishes N syncs to the config topic the way config-service does ({@code sync-spec:<id>}, then
 *       {@code sync:<id>} with {@code schedule: {type: interval, schedule: {interval: {quantity: 1, unit: minute}}}}),
 *       and waits until the scheduler has started every schedule.</li>
 *   <li>Plays the downstream services: each {@code RunRequest} gets its terminal {@code RunEvent{success}} at
 *       once, so the next minute's run is never queued behind it.</li>
 *   <li>Registration happens mid-minute: the first slot after it is a warm-up (every schedule's first fire in
 *       a fresh JVM) and is left out of the figures; the next M slots are measured. A run request belongs to the
 *       minute slot it was observed in; lateness = observed − slot.</li>
 * </ol>
 * Prints runs expected, requested, duplicates (a sync requested twice in one slot, counted over every slot),
 * missed (a measured slot of a sync with no request), lateness p50 / p99 / max, and each instance's peak RSS.
 * Exits 1 when any run was duplicated or missed.
 */
public final class SchedulerBenchmark {

    private static final long MINUTE = 60_000;

    private final int syncs;
    private final int minutes;
    private final int instances;
    private final int partitions;
    private final Path repo;
    /** (sync id, slot millis) → observed run requests of that sync in that slot. */
    private final Map<String, Map<Long, List<Observed>>> requests = new ConcurrentHashMap<>();
    /** Schedule triggers seen on the triggers topic: trigger id → how often. */
    private final Map<String, Integer> scheduleTriggers = new ConcurrentHashMap<>();
    /** Trigger lateness (the trigger record's timestamp − its slot), ms. */
    private final ConcurrentLinkedQueue<Long> triggerLateness = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Future<RecordMetadata>> answers = new ConcurrentLinkedQueue<>();
    private long answerFailures;
    private volatile boolean reading = true;

    /** One run request as observed by the benchmark. */
    private record Observed(String runId, long observedAt, long slot) {
    }

    private SchedulerBenchmark(int syncs, int minutes, int instances, int partitions, Path repo) {
        this.syncs = syncs;
        this.minutes = minutes;
        this.instances = instances;
        this.partitions = partitions;
        this.repo = repo;
    }

    public static void main(String[] args) {
        int syncs = 1_000;
        int minutes = 3;
        int instances = 2;
        int partitions = 4;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--syncs" -> syncs = Integer.parseInt(args[++i].replace("_", ""));
                case "--minutes" -> minutes = Integer.parseInt(args[++i]);
                case "--instances" -> instances = Integer.parseInt(args[++i]);
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: ./eddy bench scheduler [--syncs 1000] [--minutes 3] [--instances 2] [--partitions 4]");
                    System.exit(2);
                }
            }
        }
        Path repo = Path.of(System.getProperty("eddy.repo", ".")).toAbsolutePath().normalize();
        int status = 1;
        try {
            status = new SchedulerBenchmark(syncs, minutes, instances, partitions, repo).run() ? 0 : 1;
        } catch (Exception e) {
            e.printStackTrace();
        } finally {
            // the broker's non-daemon threads would keep the JVM alive
            Runtime.getRuntime().halt(status);
        }
    }

    /** Answers true when every measured run was requested exactly once. */
    private boolean run() throws Exception {
        Path home = Files.createTempDirectory("eddy-bench-scheduler");
        String secretKey = UUID.randomUUID().toString().replace("-", "");
        log("home " + home + "; load average " + loadAverage());
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(home.resolve("postgres"), 0, false)) {
            postgres.createDatabase("eddy");
            try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(home.resolve("kafka"), 0).start()) {
                broker.createTopics(Topics.ALL, partitions, List.of(Topics.CONFIG));
                List<CdcServiceProcess> schedulers = new ArrayList<>();
                try {
                    for (int i = 1; i <= instances; i++) {
                        CdcServiceProcess scheduler = new CdcServiceProcess(ServiceKind.SCHEDULER, "scheduler-service-" + i,
                                repo, home, secretKey, broker.bootstrapServers(), postgres.jdbcUrl("eddy"));
                        scheduler.start();
                        schedulers.add(scheduler);
                    }
                    for (CdcServiceProcess scheduler : schedulers) {
                        scheduler.awaitReady(Duration.ofSeconds(180));
                    }
                    log(instances + " scheduler instance(s) ready");
                    return measure(broker.bootstrapServers(), postgres.jdbcUrl("eddy"), schedulers);
                } finally {
                    reading = false;
                    for (CdcServiceProcess scheduler : schedulers) {
                        scheduler.stop();
                    }
                }
            }
        }
    }

    private boolean measure(String bootstrap, String jdbcUrl, List<CdcServiceProcess> schedulers) throws Exception {
        try (EventPublisher publisher = new EventPublisher(KafkaSettings.producer(bootstrap, Optional.empty(), "eddy-bench-scheduler"))) {
            Thread reader = new Thread(() -> read(bootstrap, publisher), "bench-reader");
            reader.setDaemon(true);
            reader.start();

            long registrationStart = System.currentTimeMillis();
            for (int i = 1; i <= syncs; i++) {
                String id = Integer.toString(i);
                publisher.send(Topics.CONFIG, "sync-spec:" + id, change("sync-spec", id, spec(id)));
                publisher.send(Topics.CONFIG, "sync:" + id, change("sync", id, sync(id)));
            }
            publisher.flush();
            long published = System.currentTimeMillis();
            awaitSchedulesStarted(jdbcUrl, Duration.ofMinutes(2));
            long registered = System.currentTimeMillis();
            log(String.format(Locale.ROOT, "%,d syncs published in %,d ms; every schedule started %,d ms later (%s)",
                    syncs, published - registrationStart, registered - published, time(registered)));

            // every schedule started before this boundary, so every sync is due at each slot from here on
            long firstSlot = (registered / MINUTE + 1) * MINUTE;
            boolean midMinute = registrationStart % MINUTE != 0;
            long warmUpSlot = midMinute ? firstSlot : -1;
            long measuredFrom = midMinute ? firstSlot + MINUTE : firstSlot;
            long measuredTo = measuredFrom + (minutes - 1) * MINUTE;
            // a request for the last slot later than this is missed
            long end = measuredTo + 55_000;
            log(String.format(Locale.ROOT, "%smeasuring slots %s to %s; done at about %s",
                    midMinute ? "warm-up slot " + time(warmUpSlot) + " (registered mid-minute, excluded); " : "",
                    time(measuredFrom), time(measuredTo), time(end)));
            long lastProgress = 0;
            while (System.currentTimeMillis() < end) {
                TimeUnit.MILLISECONDS.sleep(250);
                checkAnswers(false);
                if (System.currentTimeMillis() - lastProgress >= 15_000) {
                    lastProgress = System.currentTimeMillis();
                    log(String.format(Locale.ROOT, "%,d run requests observed so far", observedCount()));
                }
            }
            reading = false;
            reader.join(5_000);
            publisher.flush();
            checkAnswers(true);
            return report(schedulers, warmUpSlot, measuredFrom, measuredTo);
        }
    }

    private boolean report(List<CdcServiceProcess> schedulers, long warmUpSlot, long measuredFrom, long measuredTo)
            throws IOException {
        long expected = (long) syncs * minutes;
        long requested = 0;
        long missed = 0;
        long duplicates = 0;
        List<Long> lateness = new ArrayList<>();
        Map<Long, List<Long>> latenessBySlot = new java.util.TreeMap<>();
        List<Long> warmUpLateness = new ArrayList<>();
        long warmUpMissed = 0;
        for (int i = 1; i <= syncs; i++) {
            Map<Long, List<Observed>> bySlot = requests.getOrDefault(Integer.toString(i), Map.of());
            for (List<Observed> seen : bySlot.values()) {
                duplicates += Math.max(0, seen.size() - 1);
            }
            for (long slot = measuredFrom; slot <= measuredTo; slot += MINUTE) {
                List<Observed> seen = bySlot.get(slot);
                if (seen == null || seen.isEmpty()) {
                    missed++;
                } else {
                    requested += seen.size();
                    lateness.add(seen.get(0).observedAt() - slot);
                    latenessBySlot.computeIfAbsent(slot, k -> new ArrayList<>()).add(seen.get(0).observedAt() - slot);
                }
            }
            if (warmUpSlot > 0) {
                List<Observed> seen = bySlot.get(warmUpSlot);
                if (seen == null || seen.isEmpty()) {
                    warmUpMissed++;
                } else {
                    warmUpLateness.add(seen.get(0).observedAt() - warmUpSlot);
                }
            }
        }
        long triggerRepeats = scheduleTriggers.values().stream().mapToLong(n -> n - 1L).sum();
        long[] late = sorted(lateness);
        long[] triggerLate = sorted(new ArrayList<>(triggerLateness));
        long[] warmLate = sorted(warmUpLateness);

        System.out.println();
        System.out.println("Scheduler benchmark (one-minute interval schedules, run requests observed on " + Topics.RUN_REQUESTS + ")");
        System.out.printf(Locale.ROOT, "  syncs                %,d%n", syncs);
        System.out.printf(Locale.ROOT, "  instances            %d (config topic with %d partitions)%n", instances, partitions);
        if (warmUpSlot > 0) {
            System.out.printf(Locale.ROOT, "  warm-up (excluded)   slot %s: schedules were registered mid-minute; %,d requested, %,d missing, lateness p50 %,d ms, max %,d ms%n",
                    time(warmUpSlot), warmUpLateness.size(), warmUpMissed, percentile(warmLate, 50), percentile(warmLate, 100));
        }
        System.out.printf(Locale.ROOT, "  minutes measured     %d (slots %s to %s UTC)%n", minutes, time(measuredFrom), time(measuredTo));
        System.out.printf(Locale.ROOT, "  runs expected        %,d%n", expected);
        System.out.printf(Locale.ROOT, "  runs requested       %,d%n", requested);
        System.out.printf(Locale.ROOT, "  duplicates           %,d (same sync requested twice in one slot, any slot)%n", duplicates);
        System.out.printf(Locale.ROOT, "  missed               %,d%n", missed);
        System.out.printf(Locale.ROOT, "  lateness             p50 %,d ms, p99 %,d ms, max %,d ms (run request observed - slot)%n",
                percentile(late, 50), percentile(late, 99), percentile(late, 100));
        latenessBySlot.forEach((slot, values) -> {
            long[] inSlot = sorted(values);
            System.out.printf(Locale.ROOT, "    slot %s          %,d requested, p50 %,d ms, p99 %,d ms, max %,d ms%n",
                    time(slot), inSlot.length, percentile(inSlot, 50), percentile(inSlot, 99), percentile(inSlot, 100));
        });
        System.out.printf(Locale.ROOT, "  trigger lateness     p50 %,d ms, p99 %,d ms, max %,d ms (schedule trigger's timestamp - slot, every slot; %,d trigger(s) re-sent)%n",
                percentile(triggerLate, 50), percentile(triggerLate, 99), percentile(triggerLate, 100), triggerRepeats);
        for (CdcServiceProcess scheduler : schedulers) {
            System.out.printf(Locale.ROOT, "  %-20s peak RSS %,d MiB (-Xmx512m); %s%n", scheduler.log().getFileName().toString()
                    .replace(".log", ""), scheduler.peakRssMiB(), ownership(scheduler.log()));
        }
        System.out.printf(Locale.ROOT, "  load average         %s (2-core machine; other work on it skews lateness)%n", loadAverage());
        if (answerFailures > 0) {
            System.out.printf(Locale.ROOT, "  (%,d terminal run events could not be published)%n", answerFailures);
        }
        boolean ok = duplicates == 0 && missed == 0;
        System.out.println(ok ? "  OK: every measured run requested exactly once"
                : "  FAILED: " + duplicates + " duplicate(s), " + missed + " missed run(s)");
        return ok;
    }

    /** Reads run requests (answering each with its terminal event at once) and schedule triggers. */
    private void read(String bootstrap, EventPublisher publisher) {
        Map<String, Object> settings = new HashMap<>(KafkaSettings.consumer(bootstrap, Optional.empty(),
                "eddy-bench-scheduler-" + UUID.randomUUID()));
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(settings)) {
            consumer.subscribe(List.of(Topics.RUN_REQUESTS, Topics.TRIGGERS));
            while (reading) {
                for (ConsumerRecord<String, Object> record : consumer.poll(Duration.ofMillis(50))) {
                    long observedAt = System.currentTimeMillis();
                    if (record.value() instanceof RunRequest request) {
                        answer(publisher, request, observedAt);
                    } else if (record.value() instanceof TriggerEvent trigger && "schedule".equals(trigger.getSource())) {
                        scheduleTriggers.merge(trigger.getTriggerId(), 1, Integer::sum);
                        triggerLateness.add(record.timestamp() - trigger.getRequestedAt().toEpochMilli());
                    }
                }
            }
        } catch (RuntimeException e) {
            log("reader stopped: " + e);
        }
    }

    /** Plays extractor, diff and delivery: the run ends {@code success} at once, which frees the sync. */
    private void answer(EventPublisher publisher, RunRequest request, long observedAt) {
        long slot = observedAt / MINUTE * MINUTE;
        requests.computeIfAbsent(request.getSyncId(), k -> new ConcurrentHashMap<>())
                .computeIfAbsent(slot, k -> new ArrayList<>()).add(new Observed(request.getRunId(), observedAt, slot));
        Instant now = Instant.ofEpochMilli(observedAt);
        RunEvent done = RunEvent.newBuilder().setRunId(request.getRunId()).setSyncId(request.getSyncId())
                .setStatus(RunStatus.success).setTerminal(true).setProducer("eddy-bench").setAt(now)
                .setStartedAt(now).setFinishedAt(now).setQuerySize(0L).setTrigger(request.getTrigger()).build();
        answers.add(publisher.send(Topics.RUN_EVENTS, request.getSyncId(), done));
    }

    /** Counts the terminal events the broker refused; {@code all}: every one sent so far, else only those acknowledged. */
    private void checkAnswers(boolean all) throws InterruptedException {
        for (Future<RecordMetadata> answer = answers.peek(); answer != null && (all || answer.isDone()); answer = answers.peek()) {
            answers.poll();
            try {
                answer.get();
            } catch (ExecutionException e) {
                answerFailures++;
            }
        }
    }

    private long observedCount() {
        return requests.values().stream().flatMap(m -> m.values().stream()).mapToLong(List::size).sum();
    }

    /** Waits until the scheduler has a baseline for every schedule (a row in {@code scheduler.schedule_fires}). */
    private void awaitSchedulesStarted(String jdbcUrl, Duration timeout) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", ""); Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM scheduler.schedule_fires")) {
                    rs.next();
                    if (rs.getInt(1) >= syncs) {
                        return;
                    }
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
        throw new IllegalStateException("the scheduler did not start every schedule within " + timeout);
    }

    /** The API view config-service publishes as {@code sync:<id>} (secrets left out). */
    private static String sync(String id) {
        return """
                {"id":"%s","slug":"bench-sync-%s","workspaceId":"1","createdAt":"2025-01-01T00:00:00Z",\
                "updatedAt":"2025-01-01T00:00:00Z","destinationId":"1","modelId":"1",\
                "configuration":{"mode":"upsert","deleteBehavior":"delete","type":"object"},\
                "schedule":{"type":"interval","schedule":{"interval":{"quantity":1,"unit":"minute"}}},\
                "status":"pending","disabled":false,"lastRunAt":null,"referencedColumns":[],"primaryKey":"id"}"""
                .formatted(id, id);
    }

    /** The runnable spec config-service publishes as {@code sync-spec:<id>} (sealed secrets; none here). */
    private static String spec(String id) {
        return """
                {"syncId":"%s","syncSlug":"bench-sync-%s","configVersion":1,\
                "model":{"id":"1","name":"bench","slug":"bench","primaryKey":"id","sql":"SELECT id, email FROM customers"},\
                "source":{"id":"1","slug":"bench-warehouse","type":"postgres",\
                "configuration":{"host":"127.0.0.1","port":"5432","database":"warehouse","user":"postgres"}},\
                "destination":{"id":"1","slug":"bench-sink","type":"webhook","configuration":{"url":"http://127.0.0.1:9/unused"}},\
                "configuration":{"mode":"upsert","deleteBehavior":"delete","type":"object"}}"""
                .formatted(id, id);
    }

    private static ConfigChange change(String kind, String id, String json) {
        return ConfigChange.newBuilder().setKind(kind).setId(id).setVersion(1).setJson(json).setAt(Instant.now()).build();
    }

    /** The partitions an instance owned last, from its log. */
    private static String ownership(Path log) throws IOException {
        String owned = "owned partitions unknown";
        for (String line : Files.readAllLines(log)) {
            int at = line.indexOf("Schedule partitions owned: ");
            if (at >= 0) {
                owned = "owned config partitions " + line.substring(at + "Schedule partitions owned: ".length()).trim();
            }
        }
        return owned;
    }

    private static long[] sorted(List<Long> values) {
        long[] array = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(array);
        return array;
    }

    /** Nearest-rank percentile; 100 = max; -1 when empty. */
    private static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static String time(long millis) {
        return LocalTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    static void log(String message) {
        System.out.println("bench: " + message);
        System.out.flush();
    }
}
