package dev.eddy.extractor.source;

import dev.eddy.extractor.spi.ColumnReader;
import dev.eddy.extractor.spi.JsonText;
import dev.eddy.extractor.spi.SourceConfigurationException;
import dev.eddy.extractor.spi.SourceDialect;
import dev.eddy.extractor.spi.SourceUnreachableException;
import dev.eddy.extractor.spi.StandardColumnReaders;
import jakarta.inject.Singleton;
import org.postgresql.Driver;

import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * PostgreSQL sources: configuration {@code {host, port, database, user, password}} (optional
 * {@code sslmode}), read with the pgjdbc driver, which streams through a cursor when auto-commit is off
 * and a fetch size is set.
 */
@Singleton
public class PostgresDialect implements SourceDialect {

    private static final Driver DRIVER = new Driver();

    @Override
    public String type() {
        return "postgres";
    }

    @Override
    public Connection connect(Map<String, String> configuration, Duration timeout)
            throws SourceConfigurationException, SourceUnreachableException {
        String host = required(configuration, "host");
        String database = required(configuration, "database");
        String user = required(configuration, "user");
        String port = configuration.getOrDefault("port", "5432");
        try {
            Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new SourceConfigurationException("the source's port is not a number: " + port);
        }
        String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        String url = "jdbc:postgresql://" + hostPart + ":" + port + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8);
        Properties props = new Properties();
        props.setProperty("user", user);
        String password = configuration.get("password");
        if (password != null) {
            props.setProperty("password", password);
        }
        long seconds = Math.max(1, timeout.toSeconds());
        props.setProperty("connectTimeout", Long.toString(seconds));
        props.setProperty("loginTimeout", Long.toString(seconds));
        props.setProperty("ApplicationName", "eddy-extractor");
        String sslMode = configuration.get("sslmode");
        if (sslMode != null && !sslMode.isBlank()) {
            props.setProperty("sslmode", sslMode);
        }
        try {
            Connection connection = DRIVER.connect(url, props);
            if (connection == null) {
                throw new SourceConfigurationException("the source's address is not a PostgreSQL address: " + url);
            }
            return connection;
        } catch (SQLException e) {
            throw new SourceUnreachableException(e.getMessage(), e);
        }
    }

    @Override
    public ColumnReader reader(ResultSetMetaData metadata, int column) throws SQLException {
        String typeName = metadata.getColumnTypeName(column);
        return switch (typeName) {
            case "timestamptz" -> rs -> StandardColumnReaders.instant(rs.getObject(column, OffsetDateTime.class));
            case "timetz" -> rs -> rs.getObject(column, OffsetTime.class);
            case "json", "jsonb" -> rs -> {
                String json = rs.getString(column);
                return json == null ? null : new JsonText(json);
            };
            case "numeric" -> rs -> numeric(rs.getString(column));
            case "money" -> rs -> rs.getString(column);
            default -> typeName.startsWith("_")
                    ? rs -> array(rs.getArray(column), typeName.substring(1))
                    : StandardColumnReaders.forColumn(metadata, column);
        };
    }

    /** numeric as text, so NaN and the infinities (which BigDecimal cannot hold) survive. */
    private static Object numeric(String text) {
        if (text == null) {
            return null;
        }
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> new BigDecimal(text);
        };
    }

    private static List<Object> array(Array array, String elementType) throws SQLException {
        if (array == null) {
            return null;
        }
        try {
            return elements((Object[]) array.getArray(), elementType);
        } finally {
            array.free();
        }
    }

    private static List<Object> elements(Object[] values, String elementType) {
        List<Object> list = new ArrayList<>(values.length);
        for (Object value : values) {
            list.add(element(value, elementType));
        }
        return list;
    }

    private static Object element(Object value, String elementType) {
        if (value == null) {
            return null;
        }
        if (value instanceof Object[] nested) {
            return elements(nested, elementType);
        }
        return switch (elementType) {
            case "timestamptz" -> ((Timestamp) value).toInstant();
            case "json", "jsonb" -> new JsonText(value.toString());
            case "numeric" -> value instanceof BigDecimal ? value : numeric(value.toString());
            default -> StandardColumnReaders.element(value);
        };
    }

    private static String required(Map<String, String> configuration, String key) throws SourceConfigurationException {
        String value = configuration.get(key);
        if (value == null || value.isBlank()) {
            throw new SourceConfigurationException("the source's configuration has no " + key);
        }
        return value;
    }
}
