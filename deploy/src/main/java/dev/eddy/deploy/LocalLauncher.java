package dev.eddy.deploy;

import dev.eddy.contracts.Topics;
import dev.eddy.embedded.DemoWarehouse;
import dev.eddy.embedded.EmbeddedKafkaBroker;
import dev.eddy.embedded.EmbeddedPostgresServer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./eddy local}: starts an embedded Kafka broker (KRaft), an embedded PostgreSQL (the services'
 * database {@code eddy} and the demo warehouse {@code warehouse}) and the five services as child
 * processes, waits until the API is ready, and prints where everything is. Ctrl-C stops the services
 * first, then the broker, then the database, leaving no process behind.
 * <p>
 * While the suite runs, a service whose process exited is started again, and so is one whose {@code /q/health/live}
 * answers DOWN (one of its consumers stopped for good) {@value #DOWN_CHECKS} times in a row over at least
 * {@link #DOWN_FOR} (looked at every {@link #LIVENESS_INTERVAL}; never during its start-up, see {@link LivenessWatch},
 * and never once a stop has begun).
 */
public final class LocalLauncher {

    static final int DOWN_CHECKS = 3;
    static final Duration DOWN_FOR = Duration.ofSeconds(10);
    static final Duration LIVENESS_INTERVAL = Duration.ofSeconds(5);

    private final LocalSettings settings;
    private final List<ServiceProcess> services = new ArrayList<>();
    /** Guarded by this. */
    private final Map<ServiceProcess, LivenessWatch> liveness = new IdentityHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private EmbeddedPostgresServer postgres;
    private EmbeddedKafkaBroker broker;
    private volatile boolean stopping;

    LocalLauncher(LocalSettings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) {
        long started = System.nanoTime();
        LocalLauncher launcher = new LocalLauncher(LocalSettings.fromEnvironment(System.getenv()));
        Runtime.getRuntime().addShutdownHook(new Thread(launcher::stop, "eddy-stop"));
        try {
            launcher.start();
        } catch (RuntimeException e) {
            System.err.println("eddy: " + e.getMessage());
            launcher.stop();
            Runtime.getRuntime().halt(1);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        launcher.printBanner(seconds);
        launcher.superviseUntilStopped();
    }

    void start() {
        LocalSettings s = settings;
        try {
            Files.createDirectories(s.home().resolve("logs"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + s.home() + ": " + e.getMessage(), e);
        }
        String secretKey = s.secretKey() != null ? s.secretKey() : persistedSecret("secret.key");
        String apiKey = s.apiKey() != null ? s.apiKey() : persistedSecret("api.key");
        String postgresPassword = persistedSecret("postgres.password");
        this.warehousePassword = persistedSecret("warehouse.password");
        log("starting PostgreSQL on 127.0.0.1:" + s.postgresPort() + " (data in " + s.home().resolve("postgres") + ")");
        postgres = EmbeddedPostgresServer.startSecured(s.home().resolve("postgres"), s.postgresPort(), true, postgresPassword);
        postgres.createDatabase("eddy");
        DemoWarehouse.seed(postgres);
        DemoWarehouse.grantTo(postgres, warehousePassword, "eddy");
        log("starting Kafka (KRaft) on 127.0.0.1:" + s.kafkaPort());
        broker = new EmbeddedKafkaBroker(s.home().resolve("kafka"), s.kafkaPort()).start();
        broker.createTopics(Topics.ALL, s.partitions(), List.of(Topics.CONFIG));

        // a random block of 8 node ids per start, so two suites on one machine rarely share one either
        int nodeBase = new java.security.SecureRandom().nextInt(512) * 8;
        String jdbc = "jdbc:postgresql://127.0.0.1:" + s.servicesPostgresPort() + "/eddy";
        String deniedPorts = internalPorts(s);
        List<String> healthUrls = new ArrayList<>();
        for (ServiceKind kind : ServiceKind.values()) {
            if (kind != ServiceKind.CONFIG) {
                healthUrls.add("http://127.0.0.1:" + s.port(kind) + "/q/health/ready");
            }
        }
        for (ServiceKind kind : ServiceKind.values()) {
            Map<String, String> props = new java.util.LinkedHashMap<>();
            props.put("quarkus.http.port", String.valueOf(s.port(kind)));
            props.put("quarkus.http.host", kind == ServiceKind.CONFIG ? s.apiHost() : "127.0.0.1");
            props.put("kafka.bootstrap.servers", broker.bootstrapServers());
            if (kind.hasDatabase()) {
                props.put("quarkus.datasource.jdbc.url", jdbc);
                props.put("quarkus.datasource.username", EmbeddedPostgresServer.SUPERUSER);
            }
            if (kind == ServiceKind.CONFIG || kind == ServiceKind.EXTRACTOR || kind == ServiceKind.DELIVERY) {
                // the services that connect on a user's behalf never reach the suite's own ports
                props.put("eddy.egress.deny", deniedPorts);
            }
            if (kind == ServiceKind.CONFIG) {
                props.put("eddy.suite.health-urls", String.join(",", healthUrls));
                props.put("eddy.delivery.url", "http://127.0.0.1:" + s.port(ServiceKind.DELIVERY));
            }
            Map<String, String> env = new java.util.HashMap<>();
            env.put("EDDY_SECRET_KEY", secretKey);
            // distinct run-id nodes for the suite's processes (RunIds: ids of two processes differ by node)
            env.put("EDDY_NODE_ID", String.valueOf(nodeBase + kind.ordinal()));
            if (kind.hasDatabase()) {
                // in the environment, not on the command line, where every local user could read it
                env.put("QUARKUS_DATASOURCE_PASSWORD", postgresPassword);
            }
            if (kind == ServiceKind.CONFIG) {
                env.put("EDDY_API_KEY", apiKey);
            }
            ServiceProcess process = new ServiceProcess(kind, s.repoRoot(), s.home().resolve("logs"), s.javaOptions(), props, env);
            process.start();
            synchronized (this) {
                services.add(process);
                liveness.put(process, new LivenessWatch(DOWN_CHECKS, DOWN_FOR,
                        Duration.ofSeconds(s.readyTimeoutSeconds()), System.nanoTime()));
            }
        }
        this.readyApiKey = apiKey;
        awaitReady(Duration.ofSeconds(s.readyTimeoutSeconds()));
    }

    private String readyApiKey;
    private String warehousePassword;

    /**
     * The suite's own ports as egress rules ({@code :port}, that port on this host): the services' HTTP ports and the
     * broker's. PostgreSQL's port stays open: the demo warehouse lives there, and every login there needs a password.
     */
    private String internalPorts(LocalSettings s) {
        List<String> ports = new ArrayList<>();
        for (ServiceKind kind : ServiceKind.values()) {
            ports.add(":" + s.port(kind));
        }
        ports.add(":" + broker.port());
        ports.add(":" + broker.controllerPort());
        return String.join(",", ports);
    }

    private void awaitReady(Duration timeout) {
        URI ready = URI.create("http://127.0.0.1:" + settings.port(ServiceKind.CONFIG) + "/q/health/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ServiceProcess service : services) {
                if (!service.isAlive()) {
                    throw new IllegalStateException(service.kind().moduleName() + " exited with code " + service.exitCode()
                            + " before the suite was ready; see " + service.logFile());
                }
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(3)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the suite", e);
            }
            pause(500);
        }
        throw new IllegalStateException("the suite was not ready within " + timeout.toSeconds() + " s; logs are in " + settings.home().resolve("logs"));
    }

    void printBanner(double seconds) {
        LocalSettings s = settings;
        String api = "http://" + ("0.0.0.0".equals(s.apiHost()) ? "127.0.0.1" : s.apiHost()) + ":" + s.port(ServiceKind.CONFIG);
        System.out.println();
        System.out.println("Eddy is ready (" + String.format(Locale.ROOT, "%.1f", seconds) + " s)");
        System.out.println("  API            " + api + "/api/v1");
        System.out.println("  health         " + api + "/q/health/ready");
        System.out.println("  API key        " + readyApiKey + (s.apiKey() == null ? "   (generated; kept in " + s.home().resolve("api.key") + ", set EDDY_API_KEY to choose one)" : ""));
        System.out.println("  demo warehouse postgres host=127.0.0.1 port=" + postgres.port() + " database=" + DemoWarehouse.DATABASE
                + " user=" + DemoWarehouse.USER + " password=" + warehousePassword + "   table: customers");
        System.out.println("                 (password generated; kept in " + s.home().resolve("warehouse.password") + ")");
        System.out.println("  Kafka          " + broker.bootstrapServers());
        System.out.println("  data           " + s.home().toAbsolutePath());
        System.out.println("  logs           " + s.home().resolve("logs").toAbsolutePath());
        System.out.println("Press Ctrl-C to stop.");
        System.out.flush();
    }

    private void superviseUntilStopped() {
        long nextLivenessCheck = System.nanoTime();
        while (!stopping) {
            restartExited();
            if (System.nanoTime() - nextLivenessCheck >= 0) {
                checkLiveness();
                nextLivenessCheck = System.nanoTime() + LIVENESS_INTERVAL.toNanos();
            }
            pause(1000);
        }
    }

    /** Asks each running service's {@code /q/health/live} (outside the lock) and restarts the ones found dead. */
    private void checkLiveness() {
        List<ServiceProcess> running;
        synchronized (this) {
            if (stopping) {
                return;
            }
            running = List.copyOf(services);
        }
        for (ServiceProcess service : running) {
            if (!service.isAlive()) {
                continue;
            }
            LivenessWatch.Answer answer = liveness(service);
            boolean restart;
            synchronized (this) {
                LivenessWatch watch = liveness.get(service);
                restart = !stopping && watch != null && watch.observe(answer, System.nanoTime());
            }
            if (restart) {
                restartDead(service);
            }
        }
    }

    private LivenessWatch.Answer liveness(ServiceProcess service) {
        URI live = URI.create("http://127.0.0.1:" + settings.port(service.kind()) + "/q/health/live");
        try {
            int status = http.send(HttpRequest.newBuilder(live).timeout(Duration.ofSeconds(3)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            return status == 200 ? LivenessWatch.Answer.UP : status == 503 ? LivenessWatch.Answer.DOWN : LivenessWatch.Answer.NONE;
        } catch (IOException e) {
            return LivenessWatch.Answer.NONE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LivenessWatch.Answer.NONE;
        }
    }

    /** Restarts a running service whose liveness stayed DOWN; under the lock of {@link #stop()}, never once it began. */
    private synchronized void restartDead(ServiceProcess service) {
        if (stopping || !service.isAlive()) {
            return;
        }
        System.err.println("eddy: " + service.kind().moduleName() + " answered DOWN at /q/health/live " + DOWN_CHECKS
                + " times in a row (a consumer of it stopped; see " + service.logFile() + "); restarting it");
        service.signalStop();
        service.awaitStop(Duration.ofSeconds(20));
        if (stopping) {
            return;
        }
        service.start();
        LivenessWatch watch = liveness.get(service);
        if (watch != null) {
            watch.restarted(System.nanoTime());
        }
    }

    /**
     * Restarts services that exited on their own. Holds the same lock as {@link #stop()}, so a service that Ctrl-C
     * (SIGINT to the whole process group) ended is never restarted once the stop has begun, and none is started
     * after the stop waited for them.
     */
    private synchronized void restartExited() {
        for (ServiceProcess service : services) {
            if (!service.isAlive() && !stopping) {
                System.err.println("eddy: " + service.kind().moduleName() + " exited with code " + service.exitCode()
                        + "; restarting it (log: " + service.logFile() + ")");
                service.start();
                LivenessWatch watch = liveness.get(service);
                if (watch != null) {
                    watch.restarted(System.nanoTime());
                }
            }
        }
    }

    synchronized void stop() {
        if (stopping && services.isEmpty() && broker == null && postgres == null) {
            return;
        }
        stopping = true;
        for (ServiceProcess service : services) {
            service.signalStop();
        }
        for (ServiceProcess service : services) {
            service.awaitStop(Duration.ofSeconds(20));
        }
        services.clear();
        liveness.clear();
        if (broker != null) {
            try {
                broker.close();
            } catch (RuntimeException e) {
                System.err.println("eddy: the broker did not stop cleanly: " + e.getMessage());
            }
            broker = null;
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (RuntimeException e) {
                System.err.println("eddy: PostgreSQL did not stop cleanly: " + e.getMessage());
            }
            postgres = null;
        }
        log("stopped");
    }

    private String persistedSecret(String fileName) {
        Path file = settings.home().resolve(fileName);
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            byte[] bytes = new byte[24];
            new SecureRandom().nextBytes(bytes);
            String value = (fileName.startsWith("api") ? "eddy_" : "") + HexFormat.of().formatHex(bytes);
            Files.writeString(file, value + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            return value;
        } catch (IOException e) {
            throw new IllegalStateException("cannot keep " + file + ": " + e.getMessage(), e);
        }
    }

    private static void pause(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void log(String message) {
        System.out.println("eddy: " + message);
    }
}
