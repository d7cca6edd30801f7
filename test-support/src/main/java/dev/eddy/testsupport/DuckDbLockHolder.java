package dev.eddy.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/**
 * Another process holding a DuckDB file open for writing, as a data engineer's DuckDB CLI or a dbt run
 * would: {@link #start} returns once the child holds the lock (or could not take it); {@link #close} ends it.
 */
public final class DuckDbLockHolder implements AutoCloseable {

    private final Process process;
    /** The child's first line: {@code locked}, or the reason it could not open the file. */
    public final String status;

    private DuckDbLockHolder(Process process, String status) {
        this.process = process;
        this.status = status;
    }

    /** Starts a JVM that opens {@code path} read-write and keeps it open until stopped. */
    public static DuckDbLockHolder start(String path) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                DuckDbLockHolder.class.getName(), path).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        return new DuckDbLockHolder(process, line);
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** The child: opens the file, says so, and holds it until its standard input closes. */
    public static void main(String[] args) throws IOException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + args[0])) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold the lock until the parent closes our input
            }
        } catch (SQLException e) {
            System.out.println("not locked: " + e.getMessage().replace('\n', ' '));
        }
    }
}
