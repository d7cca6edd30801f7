package dev.eddy.deploy.bench;

import dev.eddy.deploy.ServiceKind;

import java.io.File;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One packaged service run by the benchmark as a child JVM with {@code -Xmx512m}, its output and its GC
 * log (where the peak heap is read from, at no cost to the measured run) in the benchmark's home.
 */
final class CdcServiceProcess {

    private final ServiceKind kind;
    private final Path jar;
    private final Path log;
    private final Path gcLog;
    private final String secretKey;
    private final String bootstrap;
    private final String jdbcUrl;
    private final int port = freePort();
    private Process process;
    private long gcLogMark;

    CdcServiceProcess(ServiceKind kind, Path repo, Path home, String secretKey, String bootstrap, String jdbcUrl)
            throws IOException {
        this(kind, kind.moduleName(), repo, home, secretKey, bootstrap, jdbcUrl);
    }

    /** @param name names its log files; several instances of one service need distinct names */
    CdcServiceProcess(ServiceKind kind, String name, Path repo, Path home, String secretKey, String bootstrap,
                      String jdbcUrl) throws IOException {
        this.kind = kind;
        this.jar = repo.resolve(kind.moduleName()).resolve("target/quarkus-app/quarkus-run.jar");
        Files.createDirectories(home.resolve("logs"));
        this.log = home.resolve("logs").resolve(name + ".log");
        this.gcLog = home.resolve("logs").resolve(name + "-gc.log");
        this.secretKey = secretKey;
        this.bootstrap = bootstrap;
        this.jdbcUrl = jdbcUrl;
    }

    void start() throws IOException {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build with ./mvnw package -DskipTests");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-Xlog:gc:file=" + gcLog,
                "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1", "-Dkafka.bootstrap.servers=" + bootstrap));
        if (jdbcUrl != null) {
            command.add("-Dquarkus.datasource.jdbc.url=" + jdbcUrl);
            command.add("-Dquarkus.datasource.username=postgres");
        }
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .directory(new File(jar.getParent().toString()));
        builder.environment().put("EDDY_SECRET_KEY", secretKey);
        process = builder.start();
    }

    void awaitReady(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        URI ready = URI.create("http://127.0.0.1:" + port + "/q/health/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(kind.moduleName() + " exited; see " + log);
            }
            try {
                if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new IllegalStateException(kind.moduleName() + " was not ready within " + timeout + "; see " + log);
    }

    ServiceKind kind() {
        return kind;
    }

    Path log() {
        return log;
    }

    long pid() {
        return process.pid();
    }

    Path gcLog() {
        return gcLog;
    }

    long gcLogMark() {
        return gcLogMark;
    }

    /** Starts a new measuring window: the GC log is read from here on, and the kernel's peak RSS is reset. */
    void resetPeak() throws IOException {
        gcLogMark = Files.exists(gcLog) ? Files.size(gcLog) : 0;
        try {
            Files.writeString(Path.of("/proc", String.valueOf(process.pid()), "clear_refs"), "5");
        } catch (IOException e) {
            // not Linux, or not allowed: the peak RSS then covers the whole process life
        }
    }

    /** The kernel's peak resident set size (VmHWM) in MiB, or -1 where /proc is unavailable. */
    long peakRssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
