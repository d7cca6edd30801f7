package dev.eddy.extractor.source;

import dev.eddy.contracts.source.DuckDbSourcePath;
import dev.eddy.extractor.spi.ColumnReader;
import dev.eddy.extractor.spi.JsonText;
import dev.eddy.extractor.spi.SourceConfigurationException;
import dev.eddy.extractor.spi.SourceDialect;
import dev.eddy.extractor.spi.SourceUnreachableException;
import dev.eddy.extractor.spi.StandardColumnReaders;
import jakarta.inject.Singleton;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DuckDB sources: configuration {@code {path}}, an absolute path to an existing database file (see
 * {@link DuckDbSourcePath}), read in-process through the DuckDB JDBC driver, which streams results.
 *
 * <p>Every connection, for extraction or for the sync logs ({@link #connectForWriting}), is a connection on the file's
 * one shared instance in this process ({@link DuckDbDatabases}): DuckDB allows one read-write instance per file and
 * process, so extraction and the sync logs of overlapping runs share it instead of locking each other out. The file
 * stays open while any of them runs and is closed when the last one ends. While another process holds the file,
 * opening is retried with backoff until the caller's timeout, then fails with {@link SourceUnreachableException}
 * naming the holding process.
 *
 * <p>The model's SQL runs inside Eddy's process, so external access is switched off: it cannot read other files of
 * the host ({@code read_csv}, {@code read_text}), {@code ATTACH} databases or install extensions. Since the shared
 * instance may write (the sync logs go into the file), a model must be one {@code SELECT} query ({@link #checkQuery}):
 * DuckDB would otherwise run every statement of a script such as {@code COMMIT; DELETE ...; SELECT ...}.
 */
@Singleton
public class DuckDbDialect implements SourceDialect {

    private final DuckDbDatabases databases;

    public DuckDbDialect(DuckDbDatabases databases) {
        this.databases = databases;
    }

    @Override
    public String type() {
        return "duckdb";
    }

    @Override
    public Connection connect(Map<String, String> configuration, Duration timeout)
            throws SourceConfigurationException, SourceUnreachableException {
        return databases.connect(checkedPath(configuration), false, timeout);
    }

    /** A connection on the same shared instance that holds the file's write permit until it is closed. */
    @Override
    public Connection connectForWriting(Map<String, String> configuration, Duration timeout)
            throws SourceConfigurationException, SourceUnreachableException {
        return databases.connect(checkedPath(configuration), true, timeout);
    }

    private static String checkedPath(Map<String, String> configuration) throws SourceConfigurationException {
        String path = configuration.get(DuckDbSourcePath.FIELD);
        // checked before every open: DuckDB would silently create a missing file when opening it for writing
        String problem = DuckDbSourcePath.problem(path).orElse(null);
        if (problem != null) {
            throw new SourceConfigurationException("the DuckDB source's path " + problem);
        }
        return DuckDbSourcePath.normalized(path);
    }

    /**
     * Refuses anything but one {@code SELECT} query (with {@code WITH}, {@code FROM}-first, {@code DESCRIBE},
     * {@code SUMMARIZE} ...), as DuckDB's own parser reads it: {@code json_serialize_sql} serializes only SELECT
     * statements and lists every statement of a script. A syntax error is left to the query itself, which reports it.
     */
    @Override
    public void checkQuery(Connection connection, String sql) throws SQLException {
        try (PreparedStatement p = connection.prepareStatement("SELECT json_extract_string(j, '$.error_type'), "
                + "json_extract_string(j, '$.error_message'), json_array_length(j, '$.statements') "
                + "FROM (SELECT json_serialize_sql(?::VARCHAR) AS j)")) {
            p.setString(1, sql);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                String errorType = rs.getString(1);
                long statements = rs.getLong(3);
                if ("parser".equals(errorType)) {
                    return;
                }
                if (errorType != null || statements != 1) {
                    throw new SQLException("a DuckDB model must be one SELECT query"
                            + (statements > 1 ? ", not a script of " + statements + " statements" : "")
                            + (errorType != null ? " (DuckDB: " + rs.getString(2) + ")" : ""), "42000");
                }
            }
        }
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
