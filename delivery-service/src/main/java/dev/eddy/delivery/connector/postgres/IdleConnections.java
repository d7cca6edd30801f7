package dev.eddy.delivery.connector.postgres;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * PostgreSQL connections kept open between the batches of a sync: a connector instance lives for one batch (the SPI's
 * lifecycle), and connecting anew for each batch of a thousand rows cost about as much as writing them (a backend
 * started per connection, authentication, the driver's handshake). A connection is kept per database and credentials
 * (the password only as a hash), at most {@value #MAX_IDLE_PER_DATABASE} idle ones each, for at most
 * {@value #MAX_IDLE_SECONDS} s, and checked ({@link Connection#isValid}) before it is used again. Connections are
 * kept in autocommit mode, so one goes back with no transaction open; one whose database was unreachable is closed
 * instead.
 */
final class IdleConnections {

    static final IdleConnections SHARED = new IdleConnections();
    private static final int MAX_IDLE_PER_DATABASE = 2;
    private static final long MAX_IDLE_SECONDS = 60;

    /** Which connections may stand in for each other. */
    record Key(String url, String user, String passwordHash) {
        static Key of(String url, Properties props) {
            String password = props.getProperty("password");
            return new Key(url, props.getProperty("user"), password == null ? null : sha256(password));
        }
    }

    private record Idle(Connection connection, long since) {
    }

    private final Map<Key, Deque<Idle>> idle = new HashMap<>();

    /** An idle connection that still works, or null when there is none. */
    Connection take(Key key) {
        List<Connection> stale = new ArrayList<>();
        Connection found = null;
        while (found == null) {
            Idle candidate;
            synchronized (this) {
                Deque<Idle> connections = idle.get(key);
                candidate = connections == null ? null : connections.pollFirst();
            }
            if (candidate == null) {
                break;
            }
            boolean fresh = System.nanoTime() - candidate.since() < MAX_IDLE_SECONDS * 1_000_000_000L;
            if (fresh && valid(candidate.connection())) {
                found = candidate.connection();
            } else {
                stale.add(candidate.connection());
            }
        }
        stale.forEach(IdleConnections::closeQuietly);
        return found;
    }

    /** Keeps a connection for the next batch, or closes it when enough are kept already. */
    void give(Key key, Connection connection) {
        boolean kept;
        synchronized (this) {
            Deque<Idle> connections = idle.computeIfAbsent(key, k -> new ArrayDeque<>());
            kept = connections.size() < MAX_IDLE_PER_DATABASE;
            if (kept) {
                connections.addFirst(new Idle(connection, System.nanoTime()));
            }
        }
        if (!kept) {
            closeQuietly(connection);
        }
    }

    private static boolean valid(Connection connection) {
        try {
            return connection.getAutoCommit() && connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing is best effort; the server drops the session anyway
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }
}
