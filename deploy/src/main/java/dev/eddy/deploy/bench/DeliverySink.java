package dev.eddy.deploy.bench;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark's HTTP destination: reads each body whole, counts requests and bytes, answers 200 {} at once. It is the
 * JDK's built-in server with {@code TCP_NODELAY} on its sockets ({@code sun.net.httpserver.nodelay}): without it the
 * server writes the answer's headers and body in two segments, Nagle's algorithm holds the second until the first is
 * acknowledged, and the client acknowledges late (delayed ACK, about 40 ms) — every answer then waited ~40 ms, and
 * the "raw intake" measured that wait rather than the sink.
 */
final class DeliverySink implements AutoCloseable {

    static {
        // read once, when the JDK's server classes initialise: set before the first HttpServer is created
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final java.util.concurrent.ExecutorService executor = Executors.newFixedThreadPool(4);
    final AtomicLong requests = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();

    DeliverySink() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(executor);
        byte[] ok = "{}".getBytes();
        server.createContext("/", exchange -> {
            long read = 0;
            try (InputStream in = exchange.getRequestBody()) {
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    read += n;
                }
            }
            if (!exchange.getRequestURI().getPath().startsWith("/warmup")) {
                bytes.addAndGet(read);
                requests.incrementAndGet();
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    /** Where warm-up requests go: answered alike, not counted. */
    String warmupUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/warmup";
    }

    void reset() {
        requests.set(0);
        bytes.set(0);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
