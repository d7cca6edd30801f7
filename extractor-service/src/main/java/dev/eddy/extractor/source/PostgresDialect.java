package dev.eddy.extractor.source;

import dev.eddy.contracts.egress.EgressPolicy;
import dev.eddy.contracts.source.InvalidSourceAddressException;
import dev.eddy.contracts.source.PostgresConnection;
import dev.eddy.contracts.source.SourceAddress;
import dev.eddy.extractor.spi.ColumnReader;
import dev.eddy.extractor.spi.JsonText;
import dev.eddy.extractor.spi.SourceConfigurationException;
import dev.eddy.extractor.spi.SourceDialect;
import dev.eddy.extractor.spi.SourceUnreachableException;
import dev.eddy.extractor.spi.StandardColumnReaders;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.postgresql.Driver;

import java.math.BigDecimal;
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
import java.util.Optional;
import java.util.Properties;

/**
 * PostgreSQL sources: configuration {@code {host, port, database, user, password}} (optional
 * {@code sslmode}), read with the pgjdbc driver, which streams through a cursor when auto-commit is off
 * and a fetch size is set. The address is validated and checked against the egress policy
 * ({@link SourceAddress}, {@link SourceEgress}); reading sessions are read-only ({@link PostgresConnection}).
 */
@Singleton
public class PostgresDialect implements SourceDialect {

    private static final Driver DRIVER = new Driver();

    private final EgressPolicy egress;

    /** With the default egress policy. */
    public PostgresDialect() {
        this(EgressPolicy.defaults());
    }

    @Inject
    public PostgresDialect(EgressPolicy egress) {
        this.egress = egress;
    }

    @Override
    public String type() {
        return "postgres";
    }

    @Override
    public Connection connect(Map<String, String> configuration, Duration timeout)
            throws SourceConfigurationException, SourceUnreachableException {
        return open(configuration, timeout, true);
    }

    /** For the sync logs: a session that may write. */
    @Override
    public Connection connectForWriting(Map<String, String> configuration, Duration timeout)
            throws SourceConfigurationException, SourceUnreachableException {
        return open(configuration, timeout, false);
    }

    private Connection open(Map<String, String> configuration, Duration timeout, boolean readOnly)
            throws SourceConfigurationException, SourceUnreachableException {
        SourceAddress address;
        String user;
        try {
            address = SourceAddress.of(configuration, PostgresConnection.DEFAULT_PORT);
            user = SourceAddress.user(configuration);
        } catch (InvalidSourceAddressException e) {
            throw new SourceConfigurationException(e.getMessage());
        }
        String sslMode = configuration.get("sslmode");
        if (sslMode != null && !sslMode.isBlank() && !PostgresConnection.SSL_MODES.contains(sslMode)) {
            throw new SourceConfigurationException("the source's sslmode is not one of " + PostgresConnection.SSL_MODES);
        }
        String connectHost = SourceEgress.connectHost(egress, address, PostgresConnection.verifiesHostName(sslMode));
        Properties props = PostgresConnection.properties(user, configuration.get("password"), sslMode, timeout,
                "eddy-extractor", readOnly);
        String url = PostgresConnection.url(address, connectHost);
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

    /** pgjdbc runs every statement of a query; a model is one (see {@link PostgresStatements}). */
    @Override
    public Optional<String> sqlProblem(String sql) {
        return PostgresStatements.problem(prepareSql(sql));
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

}
