package dev.eddy.deploy.bench;

import com.sun.net.httpserver.HttpServer;
import dev.eddy.deploy.LocalLauncher;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cost of warehouse sync logs on a large run: starts the suite as {@code ./eddy local} does, then runs a
 * {@code --rows} (default 100,000) model through two syncs to a local webhook, one without sync logs and one
 * with all three tables, alternately ({@code --rounds}, default 2, full resync each time so every run sends
 * every row). Prints, per run, trigger-to-terminal time and, with logs, trigger-to-logs-written time.
 * Usage: {@code ./eddy bench syncLogs --rows 100000 --rounds 2}.
 */
public final class SyncLogsBenchmark {

    // the deploy module's runtime class path has no JSON library: the few fields read are picked by pattern
    private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"(\\w+)\"");
    private static final Pattern ADDED = Pattern.compile("\"plannedRows\"\\s*:\\s*\\{\\s*\"addedCount\"\\s*:\\s*(\\d+)");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String KEY = "bench-key";

    private SyncLogsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rows = intArg(args, "--rows", 100_000);
        int rounds = intArg(args, "--rounds", 2);
        Path repo = Path.of(System.getProperty("eddy.repo", ".")).toAbsolutePath();
        Path home = Files.createTempDirectory("eddy-bench-synclogs");
        int api = freePort();
        int pg = freePort();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LocalLauncher.class.getName())
                .redirectErrorStream(true).redirectOutput(home.resolve("launcher.out").toFile());
        Map<String, String> env = builder.environment();
        env.put("EDDY_HOME", home.toString());
        env.put("EDDY_REPO", repo.toString());
        env.put("EDDY_API_KEY", KEY);
        env.put("EDDY_API_HOST", "127.0.0.1");
        env.put("EDDY_API_PORT", String.valueOf(api));
        env.put("EDDY_PG_PORT", String.valueOf(pg));
        env.put("EDDY_KAFKA_PORT", String.valueOf(freePort()));
        for (String s : List.of("SCHEDULER", "EXTRACTOR", "DIFF", "DELIVERY")) {
            env.put("EDDY_" + s + "_PORT", String.valueOf(freePort()));
        }
        Process launcher = builder.start();
        AtomicLong received = new AtomicLong();
        HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        java.util.concurrent.ExecutorService sinkThreads = Executors.newFixedThreadPool(4);
        sink.setExecutor(sinkThreads);
        sink.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            received.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        sink.start();
        String base = "http://127.0.0.1:" + api;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (!ready(base, home)) {
                if (System.nanoTime() > deadline || !launcher.isAlive()) {
                    throw new IllegalStateException("the suite did not start:\n" + Files.readString(home.resolve("launcher.out")));
                }
                Thread.sleep(500);
            }
            String jdbc = "jdbc:postgresql://127.0.0.1:" + pg + "/warehouse";
            sql(jdbc, "DROP TABLE IF EXISTS bench_sync_logs",
                    "CREATE TABLE bench_sync_logs AS SELECT g AS id, 'user' || g || '@example.com' AS email, "
                            + "(g % 7)::text AS plan, now() - g * interval '1 minute' AS updated_at FROM generate_series(1, " + rows + ") g");
            String source = post(base, "/api/v1/sources", Map.of("name", "Bench", "slug", "bench", "type", "postgres",
                    "configuration", Map.of("host", "127.0.0.1", "port", pg, "database", "warehouse", "user", "postgres", "password", ""))).id();
            String model = post(base, "/api/v1/models", Map.of("name", "Bench rows", "slug", "bench-rows", "sourceId", source,
                    "queryType", "raw_sql", "raw", Map.of("sql", "SELECT id, email, plan, updated_at FROM bench_sync_logs"), "primaryKey", "id")).id();
            String destination = post(base, "/api/v1/destinations", Map.of("name", "Sink", "slug", "sink", "type", "webhook",
                    "configuration", Map.of("url", "http://127.0.0.1:" + sink.getAddress().getPort() + "/hook"))).id();
            String plain = sync(base, "plain", model, destination, null);
            String logged = sync(base, "logged", model, destination, Map.of("changelog", true, "snapshot", true, "runs", true));
            for (int round = 1; round <= rounds; round++) {
                for (String sync : List.of(plain, logged)) {
                    boolean logs = sync.equals(logged);
                    long start = System.nanoTime();
                    String run = post(base, "/api/v1/syncs/" + sync + "/trigger", Map.of("fullResync", true)).id();
                    String terminal = awaitTerminal(base, sync, run);
                    double runSeconds = (System.nanoTime() - start) / 1e9;
                    String line = String.format(Locale.ROOT, "round %d, sync logs %-3s: run %s %s, %d rows planned, trigger -> terminal %.1f s",
                            round, logs ? "on" : "off", run, field(STATUS, terminal), Long.parseLong(field(ADDED, terminal)), runSeconds);
                    if (logs) {
                        while (count(jdbc, "SELECT count(*) FROM eddy_audit.sync_runs WHERE sync_run_id = '" + run + "'") == 0) {
                            if ((System.nanoTime() - start) / 1e9 > 600) {
                                throw new IllegalStateException("sync logs of run " + run + " not written within 600 s");
                            }
                            Thread.sleep(100);
                        }
                        double logSeconds = (System.nanoTime() - start) / 1e9;
                        line += String.format(Locale.ROOT, ", trigger -> logs written %.1f s (logs after the run: %.1f s); changelog rows %d",
                                logSeconds, logSeconds - runSeconds,
                                count(jdbc, "SELECT count(*) FROM eddy_audit.sync_changelog WHERE sync_run_id = '" + run + "'"));
                    }
                    System.out.println("[figures] " + line);
                }
            }
            System.out.printf(Locale.ROOT, "[figures] %d rows, %d rounds; webhook requests received: %d%n", rows, rounds, received.get());
        } finally {
            sink.stop(0);
            sinkThreads.shutdownNow(); // its threads are not daemons: the benchmark would never exit
            launcher.destroy();
            if (!launcher.waitFor(90, TimeUnit.SECONDS)) {
                launcher.destroyForcibly();
            }
        }
    }

    private static boolean ready(String base, Path home) throws Exception {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && Files.readString(home.resolve("launcher.out")).contains("Eddy is ready");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static String sync(String base, String slug, String model, String destination, Map<String, Object> logs) throws Exception {
        Map<String, Object> configuration = new java.util.HashMap<>(Map.of("mode", "upsert", "deleteBehavior", "do_nothing",
                "mappings", List.of(Map.of("from", "email", "to", "email", "type", "standard"), Map.of("from", "plan", "to", "plan", "type", "standard"))));
        if (logs != null) {
            configuration.put("warehouseSyncLogs", logs);
        }
        return post(base, "/api/v1/syncs", Map.of("slug", slug, "modelId", model, "destinationId", destination, "disabled", false,
                "schedule", Map.of("type", "manual"), "configuration", configuration)).id();
    }

    /** A POST's answer; only its id is read. */
    private record Created(String body) {
        String id() {
            return field(Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\""), body);
        }
    }

    private static String field(Pattern pattern, String json) {
        Matcher m = pattern.matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("unexpected answer: " + json);
        }
        return m.group(1);
    }

    private static String awaitTerminal(String base, String sync, String run) throws Exception {
        while (true) {
            String r = get(base, "/api/v1/syncs/" + sync + "/runs?runId=" + run);
            if (List.of("success", "warning", "failed", "cancelled", "interrupted").contains(field(STATUS, r))) {
                return r;
            }
            Thread.sleep(100);
        }
    }

    private static Created post(String base, String path, Object body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json(body)))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("POST " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return new Created(r.body());
    }

    private static String get(String base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + KEY).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Maps, lists, strings, numbers and booleans as JSON. */
    private static String json(Object value) {
        if (value instanceof Map<?, ?> map) {
            StringBuilder out = new StringBuilder("{");
            map.forEach((k, v) -> out.append(out.length() > 1 ? "," : "").append(json(k)).append(':').append(json(v)));
            return out.append('}').toString();
        }
        if (value instanceof List<?> list) {
            StringBuilder out = new StringBuilder("[");
            list.forEach(v -> out.append(out.length() > 1 ? "," : "").append(json(v)));
            return out.append(']').toString();
        }
        if (value instanceof String s) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
        return String.valueOf(value);
    }

    private static void sql(String jdbc, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private static long count(String jdbc, String query) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT to_regclass('eddy_audit.sync_runs') IS NOT NULL")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return 0;
                }
            }
            try (ResultSet rs = s.executeQuery(query)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
