package dev.eddy.extractor.source;

import dev.eddy.contracts.source.DuckDbSourcePath;
import dev.eddy.extractor.spi.ColumnReader;
import dev.eddy.extractor.spi.JsonText;
import dev.eddy.extractor.spi.SourceConfigurationException;
import dev.eddy.extractor.spi.SourceDialect;
import dev.eddy.extractor.spi.SourceUnreachableException;
import dev.eddy.extractor.spi.StandardColumnReaders;
import jakarta.inject.Singleton;
import org.duckdb.DuckDBDriver;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * DuckDB sources: configuration {@code {path}}, an absolute path to an existing database file (see
 * {@link DuckDbSourcePath}), read in-process through the DuckDB JDBC driver, which streams results.
 *
 * <p>DuckDB allows one writing process per file. Extraction opens the file {@code READ_ONLY} (a shared lock:
 * other readers, such as the API's previews, may read at the same time), the sync-log writer opens it
 * {@code READ_WRITE} through {@link #connectForWriting} for as long as one write takes. While another
 * process (or, in this process, a connection in the other mode) holds the file, opening is retried with
 * backoff until the caller's timeout, then fails with {@link SourceUnreachableException} naming the lock.
 *
 * <p>The model's SQL runs inside Eddy's process, so external access is switched off: it cannot read
 * other files of the host ({@code read_csv}, {@code read_text}), {@code ATTACH} databases or install
 * extensions.
 */
@Singleton
public class DuckDbDialect implements SourceDialect {

    private static final DuckDBDriver DRIVER = new DuckDBDriver();
    private static final long FIRST_BACKOFF_MILLIS = 25;
    private static final long MAX_BACKOFF_MILLIS = 1000;

    private final Clock clock;

    public DuckDbDialect() {
        this(Clock.systemUTC());
    }

    DuckDbDialect(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String type() {
        return "duckdb";
    }

    @Override
    public Connection connect(Map<String, String> configuration, Duration timeout)
            throws SourceConfigurationException, SourceUnreachableException {
        return open(configuration, timeout, true);
    }

    @Override
    public Connection connectForWriting(Map<String, String> configuration, Duration timeout)
            throws SourceConfigurationException, SourceUnreachableException {
        return open(configuration, timeout, false);
    }

    private Connection open(Map<String, String> configuration, Duration timeout, boolean readOnly)
            throws SourceConfigurationException, SourceUnreachableException {
        String path = configuration.get(DuckDbSourcePath.FIELD);
        // checked before every open: DuckDB would silently create a missing file when opening it for writing
        String problem = DuckDbSourcePath.problem(path).orElse(null);
        if (problem != null) {
            throw new SourceConfigurationException("the DuckDB source's path " + problem);
        }
        String url = "jdbc:duckdb:" + DuckDbSourcePath.normalized(path);
        Properties props = new Properties();
        props.setProperty(DuckDBDriver.DUCKDB_ACCESS_MODE_PROPERTY,
                readOnly ? DuckDBDriver.DUCKDB_ACCESS_MODE_READ_ONLY : DuckDBDriver.DUCKDB_ACCESS_MODE_READ_WRITE);
        props.setProperty("enable_external_access", "false");
        props.setProperty(DuckDBDriver.JDBC_STREAM_RESULTS, "true");
        props.setProperty(DuckDBDriver.DUCKDB_USER_AGENT_PROPERTY, "eddy-extractor");

        Instant deadline = clock.instant().plus(timeout);
        long backoff = FIRST_BACKOFF_MILLIS;
        while (true) {
            try {
                return DRIVER.connect(url, props);
            } catch (SQLException e) {
                if (!isLockConflict(e)) {
                    throw new SourceUnreachableException(e.getMessage(), e);
                }
                long left = Duration.between(clock.instant(), deadline).toMillis();
                if (left <= 0) {
                    throw new SourceUnreachableException("the DuckDB file " + path + " is locked (DuckDB allows one writing "
                            + "process at a time, and no readers while it writes) and stayed locked for " + timeout.toMillis()
                            + " ms: " + firstLine(e.getMessage()), e);
                }
                pause(Math.min(left, backoff + ThreadLocalRandom.current().nextLong(backoff / 2 + 1)));
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
    }

    /**
     * Another process holds a conflicting file lock, or this process has the file open in the other access
     * mode (DuckDB keeps one instance per file and process, with one configuration).
     */
    static boolean isLockConflict(SQLException e) {
        String message = e.getMessage();
        return message != null && (message.contains("Could not set lock on file")
                || message.contains("same database file with a different configuration"));
    }

    private static void pause(long millis) throws SourceUnreachableException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceUnreachableException("interrupted while waiting for the DuckDB file's lock", e);
        }
    }

    private static String firstLine(String message) {
        int newline = message == null ? -1 : message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /**
     * Readers giving the values PostgreSQL's readers give for the corresponding types, so a row hashes the
     * same from either: {@code FLOAT} as a 4-byte float (0.1 stays 0.1), {@code HUGEINT} and the unsigned
     * 64/128-bit integers as numbers, {@code JSON} as JSON, {@code BIT} as its text, lists element-wise.
     * {@code STRUCT}, {@code MAP}, {@code UNION}, {@code INTERVAL} and {@code ENUM} are read as DuckDB's text
     * (use {@code to_json(...)} in the model to send a struct as JSON).
     */
    @Override
    public ColumnReader reader(ResultSetMetaData metadata, int column) throws SQLException {
        String typeName = metadata.getColumnTypeName(column);
        return switch (typeName) {
            case "FLOAT" -> rs -> {
                float value = rs.getFloat(column);
                return rs.wasNull() ? null : StandardColumnReaders.element(value);
            };
            case "HUGEINT", "UHUGEINT", "UBIGINT", "VARINT", "BIGNUM" -> rs -> {
                String text = rs.getString(column);
                return text == null ? null : new BigDecimal(text);
            };
            case "JSON" -> rs -> {
                String json = rs.getString(column);
                return json == null ? null : new JsonText(json);
            };
            case "BIT" -> rs -> rs.getString(column);
            default -> typeName.endsWith("]")
                    ? rs -> array(rs.getArray(column))
                    : StandardColumnReaders.forColumn(metadata, column);
        };
    }

    private static List<Object> array(Array array) throws SQLException {
        if (array == null) {
            return null;
        }
        try {
            Object[] values = (Object[]) array.getArray();
            List<Object> list = new ArrayList<>(values.length);
            for (Object value : values) {
                list.add(element(value));
            }
            return list;
        } finally {
            array.free();
        }
    }

    /** A list element as the driver returned it, as the value PostgreSQL's array readers give. */
    private static Object element(Object value) throws SQLException {
        if (value instanceof Array nested) {
            return array(nested);
        }
        if (value instanceof LocalDate || value instanceof LocalTime || value instanceof LocalDateTime
                || value instanceof OffsetTime) {
            return value;
        }
        if (value instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (value instanceof BigInteger big) {
            return new BigDecimal(big);
        }
        if (value instanceof org.duckdb.JsonNode json) {
            return new JsonText(json.toString());
        }
        return StandardColumnReaders.element(value);
    }
}
