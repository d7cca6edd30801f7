package dev.eddy.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One service running as a child JVM from its packaged fast-jar, its output appended to a log file. */
final class ServiceProcess {

    private final ServiceKind kind;
    private final Path jar;
    private final Path logFile;
    private final String javaOptions;
    private final Map<String, String> systemProperties;
    private final Map<String, String> environment;
    private Process process;

    ServiceProcess(ServiceKind kind, Path repoRoot, Path logDir, String javaOptions,
                   Map<String, String> systemProperties, Map<String, String> environment) {
        this.kind = kind;
        this.jar = repoRoot.resolve(kind.moduleName()).resolve("target/quarkus-app/quarkus-run.jar");
        this.logFile = logDir.resolve(kind.moduleName() + ".log");
        this.javaOptions = javaOptions;
        this.systemProperties = systemProperties;
        this.environment = environment;
    }

    void start() {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build with ./mvnw package -DskipTests (./eddy local does it)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String option : javaOptions.trim().split("\\s+")) {
            if (!option.isEmpty()) {
                command.add(option);
            }
        }
        systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .directory(new File(jar.getParent().toString()));
        builder.environment().putAll(environment);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException(kind.moduleName() + " cannot start: " + e.getMessage(), e);
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    int exitCode() {
        return process == null || process.isAlive() ? -1 : process.exitValue();
    }

    long pid() {
        return process == null ? -1 : process.pid();
    }

    ServiceKind kind() {
        return kind;
    }

    Path logFile() {
        return logFile;
    }

    /** Asks the service to stop (SIGTERM: Quarkus shuts down gracefully). */
    void signalStop() {
        if (process != null && process.isAlive()) {
            process.destroy();
        }
    }

    /** Waits for the stop; kills the process when it takes longer than the timeout. */
    void awaitStop(Duration timeout) {
        if (process == null) {
            return;
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
