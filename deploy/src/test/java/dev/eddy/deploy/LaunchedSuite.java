package dev.eddy.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The whole suite started the way {@code ./eddy local} starts it: the launcher's main class in its own JVM,
 * which starts the embedded broker and database and the five packaged services as child processes.
 */
final class LaunchedSuite implements AutoCloseable {

    final Path home;
    final Map<String, Integer> ports = new HashMap<>();
    final String apiKey;
    private final Path output;
    private final Map<String, String> extraEnvironment = new HashMap<>();
    private Process launcher;
    private List<ProcessHandle> children = List.of();

    LaunchedSuite(Path home, String apiKey) {
        this.home = home;
        this.apiKey = apiKey;
        this.output = home.resolve("launcher.out");
        for (String name : List.of("EDDY_API_PORT", "EDDY_SCHEDULER_PORT", "EDDY_EXTRACTOR_PORT", "EDDY_DIFF_PORT",
                "EDDY_DELIVERY_PORT", "EDDY_PG_PORT", "EDDY_KAFKA_PORT")) {
            ports.put(name, freePort());
        }
    }

    /** Sets an environment variable of the launcher (before {@link #start()}), e.g. to put a proxy in front of a port. */
    LaunchedSuite withEnvironment(String name, String value) {
        extraEnvironment.put(name, value);
        return this;
    }

    /** Starts the launcher and waits until the API's readiness answers 200; returns the seconds it took. */
    double start() throws IOException, InterruptedException {
        Files.createDirectories(home);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LocalLauncher.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        Map<String, String> env = builder.environment();
        ports.forEach((k, v) -> env.put(k, String.valueOf(v)));
        env.put("EDDY_HOME", home.toString());
        env.put("EDDY_API_KEY", apiKey);
        env.put("EDDY_API_HOST", "127.0.0.1");
        env.put("EDDY_REPO", repoRoot().toString());
        env.putAll(extraEnvironment);
        long started = System.nanoTime();
        launcher = builder.start();
        HttpClient http = HttpClient.newHttpClient();
        try {
            await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500)).until(() -> {
                if (!launcher.isAlive()) {
                    throw new AssertionError("the launcher exited with " + launcher.exitValue() + ":\n" + Files.readString(output));
                }
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(apiBase() + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
                    return r.statusCode() == 200 && Files.readString(output).contains("Eddy is ready");
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("the suite was not ready within 240 s:\n" + Files.readString(output), e);
        }
        children = launcher.descendants().toList();
        return (System.nanoTime() - started) / 1e9;
    }

    String apiBase() {
        return "http://127.0.0.1:" + ports.get("EDDY_API_PORT");
    }

    int postgresPort() {
        return ports.get("EDDY_PG_PORT");
    }

    /**
     * The launcher, its children, and every process whose command line names this suite's home (PostgreSQL
     * daemonizes, so its processes are not the launcher's descendants).
     */
    List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>(children);
        if (launcher != null) {
            all.add(launcher.toHandle());
        }
        all.addAll(processesNamingHome());
        return all.stream().distinct().toList();
    }

    /** Live processes whose command line mentions this suite's home directory. */
    List<ProcessHandle> processesNamingHome() {
        String marker = home.toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .toList();
    }

    String launcherOutput() throws IOException {
        return Files.readString(output);
    }

    /** Stops the launcher as Ctrl-C would (SIGTERM runs the same shutdown hook) and waits for every child. */
    List<ProcessHandle> stop() throws InterruptedException {
        List<ProcessHandle> all = processes();
        if (launcher != null && launcher.isAlive()) {
            launcher.destroy();
            if (!launcher.waitFor(90, TimeUnit.SECONDS)) {
                launcher.destroyForcibly();
            }
        }
        for (ProcessHandle child : all) {
            child.onExit().completeOnTimeout(child, 30, TimeUnit.SECONDS).join();
        }
        launcher = null;
        return all;
    }

    @Override
    public void close() throws InterruptedException {
        if (launcher != null) {
            stop();
        }
        for (ProcessHandle child : children) {
            child.destroyForcibly();
        }
    }

    static Path repoRoot() {
        String configured = System.getenv("EDDY_REPO");
        Path candidate = configured != null ? Path.of(configured) : Path.of("..");
        return candidate.toAbsolutePath().normalize();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
