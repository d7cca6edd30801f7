package dev.eddy.extractor.source;

import dev.eddy.contracts.source.DuckDbLocks;
import dev.eddy.extractor.spi.SourceUnreachableException;
import jakarta.inject.Singleton;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBDriver;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The extractor's DuckDB database instances: one per file and process, shared by extraction and the sync-log writer,
 * reference-counted, and closed when its last connection closes (so other processes may open the file again).
 *
 * <p>DuckDB allows one read-write instance of a file per process, and a process that opens a file read-write excludes
 * every other process. Two instances of one file in this process (a read-only one for extraction and a read-write one
 * for the sync logs, as before) conflict with "Unique file handle conflict" or "different configuration". So here each
 * file has one read-write instance with one configuration; every user gets a {@link DuckDBConnection#duplicate()
 * duplicate} connection on it (cheap: the instance is the expensive part), and closing that connection releases its
 * reference. Writers additionally hold the file's write permit while their connection is open, so the sync-log writes
 * of overlapping runs never race each other's transactions.
 *
 * <p>The instance's configuration applies to every connection on it, so it is what every user needs and no more:
 * {@code enable_external_access=false} (the model's SQL runs in this process and must not read the host's files,
 * {@code ATTACH} databases or install extensions), {@code lock_configuration=true} (the model's SQL cannot change the
 * instance's settings with {@code SET}); writing to the file itself stays allowed, since the sync logs are written into
 * it. That extraction cannot write is enforced per query, see {@link DuckDbDialect#checkQuery}.
 *
 * <p>While another process holds the file (a DuckDB CLI or a dbt run writing it), opening is retried with exponential
 * backoff and jitter until the caller's timeout, then fails with a {@link SourceUnreachableException} naming the
 * holding process when DuckDB reports it.
 */
@Singleton
public class DuckDbDatabases {

    private static final Logger LOG = Logger.getLogger(DuckDbDatabases.class);
    private static final DuckDBDriver DRIVER = new DuckDBDriver();
    private static final long FIRST_BACKOFF_MILLIS = 25;
    private static final long MAX_BACKOFF_MILLIS = 1000;

    private final Map<String, Database> databases = new ConcurrentHashMap<>();
    private final Clock clock;

    public DuckDbDatabases() {
        this(Clock.systemUTC());
    }

    DuckDbDatabases(Clock clock) {
        this.clock = clock;
    }

    /** One file's instance and its users; guarded by its own monitor. Entries stay in the map (one small object per file). */
    private static final class Database {
        final String file;
        /** One writer at a time: a permit, not a lock, since a connection may be closed on another thread. */
        final Semaphore writePermit = new Semaphore(1, true);
        DuckDBConnection root;
        int references;

        Database(String file) {
            this.file = file;
        }
    }

    /**
     * A connection on the file's shared instance, opening the instance if no connection is open. Closing the connection
     * releases it (and, for a writer, the write permit); the last release closes the instance and so the file.
     *
     * @param path    an existing database file (checked by the caller: DuckDB would create a missing one)
     * @param writing whether the caller writes: it then waits for the file's write permit first
     * @param timeout how long to wait for the write permit and for another process to let go of the file, together
     * @throws SourceUnreachableException when the file stays locked by another process (or another writer of this one)
     *                                    longer than {@code timeout}, or DuckDB cannot open it
     */
    public Connection connect(String path, boolean writing, Duration timeout) throws SourceUnreachableException {
        String file = canonical(path);
        Database database = databases.computeIfAbsent(file, Database::new);
        Instant deadline = clock.instant().plus(timeout);
        if (writing) {
            acquireWritePermit(database, path, timeout);
        }
        try {
            DuckDBConnection connection;
            synchronized (database) {
                if (database.root == null) {
                    database.root = open(database.file, path, deadline, timeout);
                }
                try {
                    connection = database.root.duplicate();
                } catch (SQLException e) {
                    if (database.references == 0) {
                        closeRoot(database);
                    }
                    throw new SourceUnreachableException(e.getMessage(), e);
                }
                database.references++;
            }
            return lease(database, connection, writing);
        } catch (SourceUnreachableException | RuntimeException e) {
            if (writing) {
                database.writePermit.release();
            }
            throw e;
        }
    }

    /** How many connections are open on the file's instance (0: the file is closed); for tests. */
    int references(String path) {
        Database database = databases.get(canonical(path));
        if (database == null) {
            return 0;
        }
        synchronized (database) {
            return database.references;
        }
    }

    private static void acquireWritePermit(Database database, String path, Duration timeout) throws SourceUnreachableException {
        try {
            if (!database.writePermit.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new SourceUnreachableException("the DuckDB file " + path + " is being written by another run's sync logs "
                        + "in this extractor, for longer than " + timeout.toMillis() + " ms", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceUnreachableException("interrupted while waiting to write the DuckDB file " + path, e);
        }
    }

    private DuckDBConnection open(String file, String path, Instant deadline, Duration timeout) throws SourceUnreachableException {
        Properties props = new Properties();
        props.setProperty(DuckDBDriver.DUCKDB_ACCESS_MODE_PROPERTY, DuckDBDriver.DUCKDB_ACCESS_MODE_READ_WRITE);
        props.setProperty("enable_external_access", "false");
        props.setProperty("lock_configuration", "true");
        props.setProperty(DuckDBDriver.JDBC_STREAM_RESULTS, "true");
        props.setProperty(DuckDBDriver.DUCKDB_USER_AGENT_PROPERTY, "eddy-extractor");
        long backoff = FIRST_BACKOFF_MILLIS;
        while (true) {
            try {
                return (DuckDBConnection) DRIVER.connect("jdbc:duckdb:" + file, props);
            } catch (SQLException e) {
                if (!DuckDbLocks.isLockConflict(e)) {
                    throw new SourceUnreachableException(e.getMessage(), e);
                }
                long left = Duration.between(clock.instant(), deadline).toMillis();
                if (left <= 0) {
                    throw new SourceUnreachableException("the DuckDB file " + path + " is locked by " + DuckDbLocks.holder(e.getMessage())
                            + " (DuckDB allows one process to write a file, and no other process to read it meanwhile) and stayed "
                            + "locked for " + timeout.toMillis() + " ms: " + DuckDbLocks.firstLine(e.getMessage()), e);
                }
                pause(Math.min(left, backoff + ThreadLocalRandom.current().nextLong(backoff / 2 + 1)));
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
    }

    private Connection lease(Database database, DuckDBConnection connection, boolean writing) {
        InvocationHandler handler = new InvocationHandler() {
            private boolean released;

            @Override
            public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                switch (method.getName()) {
                    case "close":
                        release();
                        return null;
                    case "setReadOnly":
                        // the instance is read-write for the sync logs; extraction's queries are checked to be one SELECT
                        return null;
                    case "isReadOnly":
                        return !writing;
                    case "toString":
                        return "DuckDB connection to " + database.file + (writing ? " (writing)" : "");
                    default:
                        try {
                            return method.invoke(connection, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                }
            }

            private synchronized void release() throws SQLException {
                if (released) {
                    return;
                }
                released = true;
                try {
                    connection.close();
                } finally {
                    synchronized (database) {
                        if (--database.references == 0) {
                            closeRoot(database);
                        }
                    }
                    if (writing) {
                        database.writePermit.release();
                    }
                }
            }
        };
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[]{Connection.class}, handler);
    }

    private static void closeRoot(Database database) {
        try {
            database.root.close();
        } catch (SQLException e) {
            LOG.warnf("closing the DuckDB file %s: %s", database.file, e.getMessage());
        } finally {
            database.root = null;
        }
    }

    /** One file is one key however it is spelled: symbolic links resolved where the file exists. */
    private static String canonical(String path) {
        Path file = Path.of(path).toAbsolutePath().normalize();
        try {
            return file.toRealPath().toString();
        } catch (IOException e) {
            return file.toString();
        }
    }

    private static void pause(long millis) throws SourceUnreachableException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceUnreachableException("interrupted while waiting for the DuckDB file's lock", e);
        }
    }
}
