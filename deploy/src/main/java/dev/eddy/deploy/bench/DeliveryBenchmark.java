package dev.eddy.deploy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.RunIds;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.Change;
import dev.eddy.contracts.avro.ChangeBatch;
import dev.eddy.contracts.avro.ChangeOp;
import dev.eddy.contracts.avro.Counts;
import dev.eddy.contracts.avro.DeliveryResult;
import dev.eddy.contracts.avro.OutcomeStatus;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.embedded.EmbeddedKafkaBroker;
import dev.eddy.embedded.EmbeddedPostgresServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code ./eddy bench delivery [--rows N] [--batch N] [--pg-rows N] [--warmup-rows N]}: Eddy's delivery throughput against the
 * raw intake of the same local HTTP sink.
 *
 * <ol>
 *   <li>Raw intake: a plain load generator POSTs the very bodies Eddy's webhook connector sends (one request
 *       in flight, as delivery has per sync) to the sink and times it.</li>
 *   <li>Eddy: the packaged delivery-service runs as its own JVM against an embedded Kafka broker; the
 *       benchmark publishes the change sets ({@code rows} CHANGED rows in {@code ChangeBatch}es of
 *       {@code batch}) before starting it, then times each run from its first batch's {@code DeliveryResult} to its
 *       END result (broker timestamps): mapping, the webhook connector, the HTTP round trips, the per-batch results
 *       and progress events on Kafka.</li>
 *   <li>Postgres: the same path into a table of an embedded PostgreSQL ({@code upsert}, one statement per batch).</li>
 * </ol>
 * Both HTTP sides are warmed up alike first ({@code --warmup-rows}, default 50,000: untimed requests of the
 * generator, an untimed run through delivery-service, both to the sink's {@code /warmup} path, which it does not
 * count), and both time the same rows (all batches but the first).
 * The sink counts the bytes it received, so the printed bytes per request show both sent the same bodies.
 * Prints rows/s for each and Eddy's share of the raw intake (target: at least 90%).
 */
public final class DeliveryBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET_KEY = "bench-secret-key";

    public static void main(String[] args) throws Exception {
        try {
            benchmark(args);
        } finally {
            // client threads (HTTP, Kafka) must not keep the JVM alive after the figures are out
            System.exit(0);
        }
    }

    private static void benchmark(String[] args) throws Exception {
        int rows = intArg(args, "--rows", 1_000_000);
        int batch = intArg(args, "--batch", 1_000);
        int pgRows = intArg(args, "--pg-rows", 200_000);
        int warmupRows = intArg(args, "--warmup-rows", 50_000);
        Path repo = Path.of(System.getProperty("eddy.repo", "."));
        Path home = Files.createTempDirectory("eddy-bench-delivery");
        System.out.printf("Delivery benchmark: %,d changed rows in batches of %,d (after %,d warm-up rows); postgres %,d rows"
                        + " (load average %.1f)%n", rows, batch, warmupRows, pgRows,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        try (DeliverySink sink = new DeliverySink();
             EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(home.resolve("kafka"), freePort()).start();
             EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(home.resolve("pg"), freePort(), false)) {
            broker.createTopics(Topics.ALL, 1, List.of(Topics.CONFIG));
            postgres.createDatabase("destination");

            String webhookSpec = spec("webhook", Map.of("url", sink.url()), batch);
            String syncId = "1";
            String runId = RunIds.next();

            // 1. raw intake: the same bodies Eddy sends, from a plain generator
            double raw = rawIntake(sink, rows, batch, warmupRows, syncId, runId);
            System.out.printf("raw sink intake      : %,12.0f rows/s  (%,d requests, %,d bytes each on average)%n",
                    raw, sink.requests.get(), sink.bytes.get() / Math.max(1, sink.requests.get()));

            // 2. Eddy: the change sets of its runs are on the topic before delivery-service starts (as the generator's
            // bodies are built before its clock starts), so the benchmark's own producer does not take CPU from delivery
            // while it is timed: a warm-up run to the sink's /warmup path (untimed), the timed run to /hook, the
            // Postgres run. Each run is timed by its results' broker timestamps, first batch's result to the END.
            String jdbc = postgres.jdbcUrl("destination");
            try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE customers (id bigint PRIMARY KEY, email text, plan text, ltv numeric(12,2))");
            }
            String pgSpec = spec("postgres", Map.of("jdbcUrl", jdbc, "user", "postgres", "table", "customers"), batch);
            String warmupSpec = spec("webhook", Map.of("url", sink.warmupUrl()), batch);
            String warmupRun = RunIds.next();
            String pgRun = RunIds.next();
            Map<String, Integer> runs = new LinkedHashMap<>();
            try (EventPublisher publisher = new EventPublisher(KafkaSettings.producer(broker.bootstrapServers(), Optional.empty(), "bench"))) {
                if (warmupRows > 0) {
                    publish(publisher, warmupSpec, syncId, warmupRun, warmupRows, batch);
                    runs.put(warmupRun, warmupRows);
                }
                publish(publisher, webhookSpec, syncId, runId, rows, batch);
                runs.put(runId, rows);
                publish(publisher, pgSpec, "2", pgRun, pgRows, batch);
                runs.put(pgRun, pgRows);
            }
            sink.reset();

            int deliveryPort = freePort();
            Process delivery = startDelivery(repo, home, broker.bootstrapServers(), deliveryPort);
            try (KafkaConsumer<String, Object> results = new KafkaConsumer<>(KafkaSettings.consumer(broker.bootstrapServers(),
                    Optional.empty(), "bench-" + UUID.randomUUID()))) {
                results.subscribe(List.of(Topics.DELIVERY_RESULTS));
                awaitReady(deliveryPort);
                Map<String, Timing> timings = collect(results, runs, batch);

                Timing eddy = timings.get(runId);
                System.out.printf("eddy delivery (http) : %,12.0f rows/s  (%,d rows accepted, %,d requests, %,d bytes each on average)%n",
                        eddy.rowsPerSecond, eddy.accepted, sink.requests.get(), sink.bytes.get() / Math.max(1, sink.requests.get()));
                System.out.printf("eddy / raw           : %11.1f %%  (target >= 90 %%)%n", 100 * eddy.rowsPerSecond / raw);
                Timing pg = timings.get(pgRun);
                long stored;
                try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT count(*) FROM customers")) {
                    rs.next();
                    stored = rs.getLong(1);
                }
                System.out.printf("eddy delivery (pg)   : %,12.0f rows/s  (%,d rows accepted, %,d rows in the table)%n",
                        pg.rowsPerSecond, pg.accepted, stored);
                System.out.printf("load average at the end: %.1f%n",
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            } finally {
                delivery.destroy();
                delivery.waitFor();
            }
        }
    }

    private record Timing(double rowsPerSecond, long accepted) {
    }

    /** Publishes a run's change set: {@code rows} CHANGED rows in batches of {@code batch}, then its END. */
    private static void publish(EventPublisher publisher, String spec, String syncId, String runId, int rows, int batch) {
        int batches = (rows + batch - 1) / batch;
        for (int seq = 0; seq < batches; seq++) {
            List<Change> changes = new ArrayList<>(batch);
            for (int i = seq * batch; i < Math.min(rows, (seq + 1) * batch); i++) {
                changes.add(Change.newBuilder().setOp(ChangeOp.CHANGED).setPk(Integer.toString(i)).setData(row(i)).build());
            }
            publisher.send(Topics.CHANGES, syncId, ChangeBatch.newBuilder().setRunId(runId).setSyncId(syncId).setSeq(seq)
                    .setKind(BatchKind.ROWS).setChanges(changes).setPlanned(null).setSpecJson(spec).build());
        }
        publisher.sendAndWait(Topics.CHANGES, syncId, ChangeBatch.newBuilder().setRunId(runId).setSyncId(syncId).setSeq(batches)
                .setKind(BatchKind.END).setChanges(List.of()).setPlanned(new Counts(0L, (long) rows, 0L)).setSpecJson(spec).build());
    }

    /**
     * Reads the results until every run's END, and times each run by the broker timestamps of its results (set when
     * delivery-service sent them), from the first batch's result to the END: the first batch's own delivery falls
     * before its result, so the rows after it are counted.
     */
    private static Map<String, Timing> collect(KafkaConsumer<String, Object> results, Map<String, Integer> runs, int batch) {
        Map<String, Long> first = new HashMap<>();
        Map<String, Long> end = new HashMap<>();
        Map<String, Long> accepted = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (end.size() < runs.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("delivery did not finish within 30 minutes");
            }
            for (ConsumerRecord<String, Object> record : results.poll(Duration.ofMillis(100))) {
                if (!(record.value() instanceof DeliveryResult result) || !runs.containsKey(result.getRunId())) {
                    continue;
                }
                if (result.getKind() == BatchKind.END) {
                    if (result.getFatalError() != null) {
                        throw new IllegalStateException("delivery failed: " + result.getFatalError());
                    }
                    end.put(result.getRunId(), record.timestamp());
                } else {
                    first.putIfAbsent(result.getRunId(), record.timestamp());
                    long ok = result.getOutcomes().stream().filter(o -> o.getStatus() == OutcomeStatus.ACCEPTED).count();
                    accepted.merge(result.getRunId(), ok, Long::sum);
                }
            }
        }
        Map<String, Timing> timings = new HashMap<>();
        runs.forEach((run, rows) -> {
            long timedRows = rows - Math.min(rows, batch);
            double seconds = Math.max(1, end.get(run) - first.getOrDefault(run, end.get(run))) / 1e3;
            timings.put(run, new Timing(timedRows / seconds, accepted.getOrDefault(run, 0L)));
        });
        return timings;
    }

    /**
     * Times the generator over the same batches Eddy sends (the same run id, so the same bodies), after
     * {@code warmupRows} rows of untimed requests; leaves the sink's counters at the timed requests.
     */
    private static double rawIntake(DeliverySink sink, int rows, int batch, int warmupRows, String syncId, String runId)
            throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create(sink.url());
        URI warmup = URI.create(sink.warmupUrl());
        for (int from = 0; from < warmupRows; from += batch) {
            post(http, warmup, webhookBody(syncId, runId, from, Math.min(warmupRows, from + batch)));
        }
        int batches = (rows + batch - 1) / batch;
        List<byte[]> bodies = new ArrayList<>(batches);
        for (int seq = 0; seq < batches; seq++) {
            bodies.add(webhookBody(syncId, runId, seq * batch, Math.min(rows, (seq + 1) * batch)));
        }
        sink.reset();
        // as for Eddy, whose clock starts at the first batch's result: the first batch is not timed
        post(http, uri, bodies.get(0));
        long start = System.nanoTime();
        for (int seq = 1; seq < batches; seq++) {
            post(http, uri, bodies.get(seq));
        }
        long timedRows = rows - Math.min(rows, batch);
        return timedRows / ((System.nanoTime() - start) / 1e9);
    }

    private static void post(HttpClient http, URI uri, byte[] body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("sink answered " + response.statusCode());
        }
    }

    /** The webhook body Eddy sends for rows [from, to): the same mapped fields. */
    private static byte[] webhookBody(String syncId, String runId, int from, int to) throws Exception {
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = from; i < to; i++) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("op", "changed");
            item.put("primaryKey", Integer.toString(i));
            item.put("row", JSON.readValue(row(i), Map.class));
            items.add(item);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("syncId", syncId);
        body.put("runId", runId);
        body.put("batch", items);
        return JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    }

    private static String row(int i) {
        return "{\"id\":" + i + ",\"email\":\"user" + i + "@example.com\",\"plan\":\"" + (i % 3 == 0 ? "pro" : "free")
                + "\",\"ltv\":" + (i % 1000) + ".25}";
    }

    private static String spec(String type, Map<String, Object> destination, int batch) {
        ObjectNode configuration = JSON.createObjectNode();
        configuration.put("mode", "upsert");
        configuration.put("batchSize", batch);
        var mappings = configuration.putArray("mappings");
        for (String column : List.of("id", "email", "plan", "ltv")) {
            mappings.addObject().put("from", column).put("to", column).put("type", "standard");
        }
        configuration.putObject("externalIdMapping").put("from", "id").put("to", "id");
        return new SyncSpec("bench", "bench", 1, new SyncSpec.Model("m", "Customers", "customers", "id", "select 1"), null,
                new SyncSpec.Connection("d", "dest", type, JSON.valueToTree(destination)), configuration).toJson();
    }

    private static Process startDelivery(Path repo, Path home, String bootstrap, int port) throws Exception {
        Path jar = repo.resolve("delivery-service/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: package the services first (./eddy local builds them)");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g"));
        // e.g. EDDY_BENCH_DELIVERY_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/delivery.jfr,settings=profile"
        String extra = System.getenv("EDDY_BENCH_DELIVERY_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1",
                "-Dkafka.bootstrap.servers=" + bootstrap, "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("delivery-service.log").toFile()))
                .directory(new File(jar.getParent().toString()));
        builder.environment().put("EDDY_SECRET_KEY", SECRET_KEY);
        System.out.println("delivery-service log: " + home.resolve("delivery-service.log"));
        return builder.start();
    }

    private static void awaitReady(int port) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI ready = URI.create("http://127.0.0.1:" + port + "/q/health/ready");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // the service is still starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("delivery-service did not become ready within 120 s");
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1].replace("_", ""));
            }
        }
        return fallback;
    }
}
