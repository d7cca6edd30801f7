package dev.eddy.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on a loopback port in front of a real server (PostgreSQL, a broker), for fault tests: {@link #refuse()}
 * drops every open connection and closes the listening socket, so clients get "connection refused" exactly as from a
 * server that went away; {@link #accept()} listens on the same port again. Only ever forwards to a loopback target.
 */
public final class FaultProxy implements AutoCloseable {

    private volatile int port;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    private volatile Thread acceptor;

    private FaultProxy(int port, int targetPort) {
        this.port = port;
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
    }

    /** Starts a proxy on {@code port} (0 for a free one) forwarding to {@code 127.0.0.1:targetPort}. */
    public static FaultProxy start(int port, int targetPort) {
        FaultProxy proxy = new FaultProxy(port, targetPort);
        proxy.listen(port);
        return proxy;
    }

    /** The port clients connect to; stays the same across {@link #refuse()} and {@link #accept()}. */
    public int port() {
        return port;
    }

    /** Closes every open connection and stops listening: new connections are refused until {@link #accept()}. */
    public synchronized void refuse() {
        ServerSocket current = server;
        if (current == null) {
            return;
        }
        server = null;
        closeQuietly(current);
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        open.clear();
        Thread thread = acceptor;
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Listens again on the same port. */
    public synchronized void accept() {
        if (server == null) {
            listen(port());
        }
    }

    public boolean refusing() {
        return server == null;
    }

    private void listen(int onPort) {
        ServerSocket socket = null;
        IOException last = null;
        // the port may linger for a moment after refuse(); SO_REUSEADDR lets it be bound again at once
        for (int attempt = 0; attempt < 50 && socket == null; attempt++) {
            try {
                ServerSocket candidate = new ServerSocket();
                candidate.setReuseAddress(true);
                candidate.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 128);
                socket = candidate;
            } catch (IOException e) {
                last = e;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (socket == null) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + onPort, last);
        }
        ServerSocket listening = socket;
        port = listening.getLocalPort();
        server = listening;
        Thread thread = new Thread(() -> acceptLoop(listening), "fault-proxy-" + listening.getLocalPort());
        thread.setDaemon(true);
        acceptor = thread;
        thread.start();
    }

    private void acceptLoop(ServerSocket listening) {
        while (!listening.isClosed()) {
            Socket client;
            try {
                client = listening.accept();
            } catch (IOException e) {
                return; // closed by refuse() or close()
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 5000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            open.add(client);
            open.add(upstream);
            pipe(client, upstream);
            pipe(upstream, client);
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed: close both below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "fault-proxy-pipe");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing for a fault or at the end: nothing to do
        }
    }

    @Override
    public void close() {
        refuse();
    }
}
