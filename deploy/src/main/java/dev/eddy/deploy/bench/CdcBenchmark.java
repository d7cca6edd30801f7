package dev.eddy.deploy.bench;

import dev.eddy.contracts.RunIds;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.ChangeBatch;
import dev.eddy.contracts.avro.DeliveryResult;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.avro.RowOutcome;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.deploy.ServiceKind;
import dev.eddy.embedded.EmbeddedKafkaBroker;
import dev.eddy.embedded.EmbeddedPostgresServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.postgresql.PGConnection;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./eddy bench cdc [--rows N] [--change-percent P]}: how fast the extractor and the diff find what
 * changed, next to the physical limit of reading the same result ({@code COPY (<model SQL>) TO STDOUT}).
 *
 * <ol>
 *   <li>Starts an embedded PostgreSQL (warehouse and the diff's database) and an embedded Kafka broker, and
 *       the packaged extractor and diff services with {@code -Xmx512m}; this process plays the scheduler
 *       (publishing run requests) and the destination (answering change batches as accepted).</li>
 *   <li>Fills a 10-column table (bigint, int, text, text, numeric, numeric, timestamptz, timestamptz,
 *       boolean, jsonb) with N rows with {@code generate_series}.</li>
 *   <li>First run with {@code resetCDC}: the snapshot becomes the whole result, the state after a first
 *       full delivery, without pushing N rows through a destination.</li>
 *   <li>Changes P% of the rows, then times the second run from the run request until the change set's END
 *       marker is on the topic (extract + diff; delivery excluded), and then COPY of the model SQL.</li>
 * </ol>
 * Prints rows, both times, their ratio, rows/s, and the peak heap (and peak RSS) of extractor and diff.
 */
public final class CdcBenchmark {

    private static final String TABLE = "bench_rows";
    private static final String MODEL_SQL = "SELECT id, account_id, name, email, amount, balance, created_at, updated_at,"
            + " active, attributes FROM " + TABLE;

    private final long rows;
    private final double changePercent;
    private final Path repo;
    private final Map<String, ChangeBatch> changeEnds = new ConcurrentHashMap<>();
    private final Map<String, List<ChangeBatch>> changeRows = new ConcurrentHashMap<>();
    private final Map<String, RunEvent> terminals = new ConcurrentHashMap<>();
    private volatile boolean reading = true;

    private CdcBenchmark(long rows, double changePercent, Path repo) {
        this.rows = rows;
        this.changePercent = changePercent;
        this.repo = repo;
    }

    public static void main(String[] args) throws Exception {
        long rows = 1_000_000;
        double percent = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rows" -> rows = Long.parseLong(args[++i].replace("_", ""));
                case "--change-percent" -> percent = Double.parseDouble(args[++i]);
                default -> {
                    System.err.println("usage: ./eddy bench cdc [--rows N] [--change-percent P]");
                    System.exit(2);
                }
            }
        }
        Path repo = Path.of(System.getProperty("eddy.repo", ".")).toAbsolutePath().normalize();
        try {
            new CdcBenchmark(rows, percent, repo).run();
        } finally {
            // the broker's non-daemon threads would keep the JVM alive
            Runtime.getRuntime().halt(0);
        }
    }

    private void run() throws Exception {
        Path home = Files.createTempDirectory("eddy-bench-cdc");
        String secretKey = UUID.randomUUID().toString().replace("-", "");
        log("home " + home);
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(home.resolve("postgres"), 0, false)) {
            postgres.createDatabase("eddy");
            postgres.createDatabase("warehouse");
            try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(home.resolve("kafka"), 0).start()) {
                broker.createTopics(Topics.ALL, 4, List.of(Topics.CONFIG));
                List<CdcServiceProcess> services = new ArrayList<>();
                try {
                    for (ServiceKind kind : List.of(ServiceKind.EXTRACTOR, ServiceKind.DIFF)) {
                        CdcServiceProcess service = new CdcServiceProcess(kind, repo, home, secretKey,
                                broker.bootstrapServers(), kind.hasDatabase() ? postgres.jdbcUrl("eddy") : null);
                        service.start();
                        services.add(service);
                    }
                    String warehouse = postgres.jdbcUrl("warehouse");
                    fill(warehouse);
                    for (CdcServiceProcess service : services) {
                        service.awaitReady(Duration.ofSeconds(120));
                    }
                    measure(broker.bootstrapServers(), postgres.port(), warehouse, services);
                } finally {
                    reading = false;
                    for (CdcServiceProcess service : services) {
                        service.stop();
                    }
                }
            }
        }
    }

    private void fill(String jdbc) throws SQLException {
        long started = System.nanoTime();
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + TABLE);
            s.execute("CREATE UNLOGGED TABLE " + TABLE + " (id bigint PRIMARY KEY, account_id int, name text, email text,"
                    + " amount numeric(12,2), balance numeric(14,4), created_at timestamptz, updated_at timestamptz,"
                    + " active boolean, attributes jsonb)");
            s.execute("INSERT INTO " + TABLE + " SELECT i, (i % 50000)::int, 'Customer ' || i, 'customer' || i || '@example.com',"
                    + " (i % 100000) / 100.0, (i * 37 % 1000000) / 10000.0, timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second',"
                    + " timestamptz '2025-01-01 00:00:00+00' + (i % 86400) * interval '1 second', i % 3 = 0,"
                    + " jsonb_build_object('plan', CASE WHEN i % 5 = 0 THEN 'pro' ELSE 'free' END, 'seats', i % 40, 'tags', jsonb_build_array('a', i % 7))"
                    + " FROM generate_series(1, " + rows + ") i");
            s.execute("VACUUM ANALYZE " + TABLE);
        }
        log(String.format(Locale.ROOT, "filled %,d rows in %.1f s", rows, (System.nanoTime() - started) / 1e9));
    }

    private long changeRows(String jdbc) throws SQLException {
        long modulus = 10_000;
        long below = Math.round(changePercent * 100);
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); Statement s = c.createStatement()) {
            int changed = s.executeUpdate("UPDATE " + TABLE + " SET amount = amount + 1, updated_at = now()"
                    + " WHERE (id * 7919) % " + modulus + " < " + below);
            s.execute("VACUUM ANALYZE " + TABLE);
            return changed;
        }
    }

    private void measure(String bootstrap, int pgPort, String warehouse, List<CdcServiceProcess> services)
            throws Exception {
        Thread reader = new Thread(() -> read(bootstrap), "bench-reader");
        reader.setDaemon(true);
        reader.start();
        String syncId = "bench-" + UUID.randomUUID();
        String spec = spec(syncId, pgPort);
        try (EventPublisher publisher = new EventPublisher(KafkaSettings.producer(bootstrap, Optional.empty(), "eddy-bench"))) {
            long started = System.nanoTime();
            String first = request(publisher, syncId, spec, true);
            RunEvent seeded = awaitTerminal(first, Duration.ofMinutes(30));
            log(String.format(Locale.ROOT, "first run (resetCDC, snapshot of %,d rows): %s in %.1f s", seeded.getQuerySize(),
                    seeded.getStatus(), (System.nanoTime() - started) / 1e9));

            long changed = changeRows(warehouse);
            log(String.format(Locale.ROOT, "changed %,d rows (%.2f%%)", changed, changePercent));
            for (CdcServiceProcess service : services) {
                service.resetPeak();
            }
            CdcHeapSampler sampler = new CdcHeapSampler(services);
            sampler.start();
            long t0 = System.nanoTime();
            String second = request(publisher, syncId, spec, false);
            ChangeBatch end = awaitChangeSet(second, Duration.ofMinutes(30));
            double extractDiff = (System.nanoTime() - t0) / 1e9;
            sampler.stop();
            long planned = end.getPlanned().getAddedCount() + end.getPlanned().getChangedCount() + end.getPlanned().getRemovedCount();
            acceptAll(publisher, second, syncId, end);
            RunEvent finished = awaitTerminal(second, Duration.ofMinutes(5));

            double copy = copySeconds(warehouse);
            double copyAgain = copySeconds(warehouse);
            double bestCopy = Math.min(copy, copyAgain);
            System.out.println();
            System.out.println("CDC benchmark (extract + diff vs COPY of the same model SQL)");
            System.out.printf(Locale.ROOT, "  rows                 %,d (%,d changed = %.2f%%)%n", rows, changed, changePercent);
            System.out.printf(Locale.ROOT, "  extract + diff       %.2f s  (run request -> change set END; planned %,d; run ended %s)%n",
                    extractDiff, planned, finished.getStatus());
            System.out.printf(Locale.ROOT, "  COPY ... TO STDOUT   %.2f s  (best of %.2f s and %.2f s)%n", bestCopy, copy, copyAgain);
            System.out.printf(Locale.ROOT, "  ratio                %.2f%n", extractDiff / bestCopy);
            System.out.printf(Locale.ROOT, "  throughput           %,.0f rows/s (extract + diff), %,.0f rows/s (COPY)%n",
                    rows / extractDiff, rows / bestCopy);
            for (CdcServiceProcess service : services) {
                System.out.printf(Locale.ROOT, "  %-18s   peak heap used %,d MiB (of -Xmx512m), peak RSS %,d MiB%n",
                        service.kind().moduleName(), sampler.peakHeapMiB(service), service.peakRssMiB());
            }
        }
    }

    /** The run's sync spec (JSON written by hand: this module has no JSON library at run time). */
    private static String spec(String syncId, int pgPort) {
        // no mappings: the whole row is sent, so every column counts for change detection
        return """
                {"syncId": "%s", "syncSlug": "bench", "configVersion": 1,
                 "model": {"id": "bench-model", "name": "bench", "slug": "bench", "primaryKey": "id", "sql": "%s"},
                 "source": {"id": "bench-source", "slug": "bench-warehouse", "type": "postgres",
                            "configuration": {"host": "127.0.0.1", "port": "%d", "database": "warehouse", "user": "postgres"}},
                 "destination": {"id": "bench-destination", "slug": "bench-sink", "type": "webhook",
                                 "configuration": {"url": "http://127.0.0.1:9/unused"}},
                 "configuration": {"mode": "upsert", "deleteBehavior": "delete", "type": "object"}}
                """.formatted(syncId, MODEL_SQL, pgPort);
    }

    private static String request(EventPublisher publisher, String syncId, String spec, boolean resetCdc) {
        String runId = RunIds.next();
        publisher.sendAndWait(Topics.RUN_REQUESTS, syncId, RunRequest.newBuilder()
                .setRunId(runId).setSyncId(syncId).setConfigVersion(1).setFullResync(false).setResetCDC(resetCdc)
                .setTrigger("bench").setRequestedAt(Instant.now()).setSpecJson(spec).build());
        return runId;
    }

    private void read(String bootstrap) {
        try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(
                KafkaSettings.consumer(bootstrap, Optional.empty(), "eddy-bench-" + UUID.randomUUID()))) {
            consumer.subscribe(List.of(Topics.CHANGES, Topics.RUN_EVENTS));
            while (reading) {
                for (ConsumerRecord<String, Object> record : consumer.poll(Duration.ofMillis(50))) {
                    if (record.value() instanceof ChangeBatch batch) {
                        if (batch.getKind() == BatchKind.END) {
                            changeEnds.put(batch.getRunId(), batch);
                        } else {
                            changeRows.computeIfAbsent(batch.getRunId(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                                    .add(batch);
                        }
                    } else if (record.value() instanceof RunEvent event && event.getTerminal()) {
                        terminals.put(event.getRunId(), event);
                    }
                }
            }
        }
    }

    private ChangeBatch awaitChangeSet(String runId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            ChangeBatch end = changeEnds.get(runId);
            if (end != null) {
                return end;
            }
            RunEvent terminal = terminals.get(runId);
            if (terminal != null) {
                throw new IllegalStateException("the run ended without a change set: " + terminal.getStatus() + " " + terminal.getError());
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
        throw new IllegalStateException("no change set within " + timeout);
    }

    private RunEvent awaitTerminal(String runId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            RunEvent terminal = terminals.get(runId);
            if (terminal != null) {
                if (terminal.getStatus() == dev.eddy.contracts.avro.RunStatus.failed) {
                    throw new IllegalStateException("run " + runId + " failed: " + terminal.getError());
                }
                return terminal;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        throw new IllegalStateException("run " + runId + " did not end within " + timeout);
    }

    /** Plays the destination: every change accepted, so the run ends and the snapshot takes the changes. */
    private void acceptAll(EventPublisher publisher, String runId, String syncId, ChangeBatch end) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (changeRows.getOrDefault(runId, List.of()).size() < end.getSeq() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        for (ChangeBatch batch : new ArrayList<>(changeRows.getOrDefault(runId, List.of()))) {
            publisher.send(Topics.DELIVERY_RESULTS, syncId, DeliveryResult.newBuilder().setRunId(runId).setSyncId(syncId)
                    .setSeq(batch.getSeq()).setKind(BatchKind.ROWS)
                    .setOutcomes(batch.getChanges().stream().map(c -> RowOutcome.newBuilder().setPk(c.getPk()).setOp(c.getOp())
                            .setStatus(OutcomeStatus.ACCEPTED).build()).toList()).build());
        }
        publisher.sendAndWait(Topics.DELIVERY_RESULTS, syncId, DeliveryResult.newBuilder().setRunId(runId).setSyncId(syncId)
                .setSeq(end.getSeq()).setKind(BatchKind.END).setOutcomes(List.of()).build());
    }

    private static double copySeconds(String jdbc) throws SQLException, IOException {
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "")) {
            long started = System.nanoTime();
            long bytes = c.unwrap(PGConnection.class).getCopyAPI()
                    .copyOut("COPY (" + MODEL_SQL + ") TO STDOUT", OutputStream.nullOutputStream());
            double seconds = (System.nanoTime() - started) / 1e9;
            log(String.format(Locale.ROOT, "COPY read %,d rows in %.2f s", bytes, seconds));
            return seconds;
        }
    }

    static void log(String message) {
        System.out.println("bench: " + message);
        System.out.flush();
    }
}
