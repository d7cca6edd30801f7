package dev.eddy.extractor.source;

import com.mysql.cj.jdbc.NonRegisteringDriver;
import dev.eddy.contracts.egress.EgressPolicy;
import dev.eddy.contracts.source.InvalidSourceAddressException;
import dev.eddy.contracts.source.MySqlConnection;
import dev.eddy.contracts.source.SourceAddress;
import dev.eddy.extractor.spi.ColumnReader;
import dev.eddy.extractor.spi.JsonText;
import dev.eddy.extractor.spi.SourceConfigurationException;
import dev.eddy.extractor.spi.SourceDialect;
import dev.eddy.extractor.spi.SourceUnreachableException;
import dev.eddy.extractor.spi.StandardColumnReaders;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * MySQL sources (MySQL 8+ and MariaDB servers, through MySQL Connector/J): configuration
 * {@code {host, port (3306), database, user, password}} (optional {@code sslMode}, Connector/J's: {@code DISABLED},
 * {@code PREFERRED} by default, {@code REQUIRED}, {@code VERIFY_CA}, {@code VERIFY_IDENTITY}).
 *
 * <p>Rows stream through a server-side cursor ({@code useCursorFetch}): the driver holds one fetch of rows at a
 * time, whatever the result's size (the server keeps the result in a temporary table meanwhile). The session's
 * settings (UTC, so {@code TIMESTAMP}s are exact instants) are {@link MySqlConnection}'s.
 */
@Singleton
public class MySqlDialect implements SourceDialect {

    private static final NonRegisteringDriver DRIVER = newDriver();
    /** A TIME value that is a time of day (MySQL's TIME is a duration: it may be negative or exceed 24 hours). */
    private static final Pattern TIME_OF_DAY = Pattern.compile("([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,9})?");

    private final EgressPolicy egress;

    /** With the default egress policy. */
    public MySqlDialect() {
        this(EgressPolicy.defaults());
    }

    @Inject
    public MySqlDialect(EgressPolicy egress) {
        this.egress = egress;
    }

    @Override
    public String type() {
        return "mysql";
    }

    @Override
    public Connection connect(Map<String, String> configuration, Duration timeout)
            throws SourceConfigurationException, SourceUnreachableException {
        return open(configuration, timeout, true);
    }

    /** For the sync logs: client-side prepared statements, so a 1,000-row INSERT is one round trip. */
    @Override
    public Connection connectForWriting(Map<String, String> configuration, Duration timeout)
            throws SourceConfigurationException, SourceUnreachableException {
        return open(configuration, timeout, false);
    }

    private Connection open(Map<String, String> configuration, Duration timeout, boolean reading)
            throws SourceConfigurationException, SourceUnreachableException {
        SourceAddress address;
        String user;
        try {
            address = SourceAddress.of(configuration, MySqlConnection.DEFAULT_PORT);
            user = SourceAddress.user(configuration);
        } catch (InvalidSourceAddressException e) {
            throw new SourceConfigurationException(e.getMessage());
        }
        String sslMode = configuration.get("sslMode");
        if (sslMode != null && !sslMode.isBlank() && !MySqlConnection.SSL_MODES.contains(sslMode)) {
            throw new SourceConfigurationException("the source's sslMode is not one of " + MySqlConnection.SSL_MODES);
        }
        String connectHost = SourceEgress.connectHost(egress, address, "VERIFY_IDENTITY".equals(sslMode));
        Properties props = MySqlConnection.properties(user, configuration.get("password"), sslMode, timeout, "eddy-extractor");
        if (reading) {
            props.setProperty("useCursorFetch", "true");
        }
        String url = MySqlConnection.url(address, connectHost);
        String port = Integer.toString(address.port());
        try {
            Connection connection = DRIVER.connect(url, props);
            if (connection == null) {
                throw new SourceConfigurationException("the source's address is not a MySQL address: " + url);
            }
            return connection;
        } catch (SQLException e) {
            throw new SourceUnreachableException(MySqlConnection.connectFailure(address.host(), port, e), e);
        }
    }

    /**
     * Readers giving the values PostgreSQL's readers give for the corresponding types, so a row hashes the same
     * from either: {@code TINYINT(1)} / {@code BOOLEAN} and {@code BIT(1)} as booleans (a {@code TINYINT(1)}
     * holding another number than 0 or 1 stays that number), {@code BIT(n)} as its bit string,
     * {@code BIGINT UNSIGNED} as a number, {@code TIMESTAMP} as an instant and {@code DATETIME} as a local
     * date-time, {@code TIME} as a time of day (a duration beyond one day as its text), {@code JSON} by content,
     * {@code YEAR} as a number; {@code ENUM} and {@code SET} as their text.
     */
    @Override
    public ColumnReader reader(ResultSetMetaData metadata, int column) throws SQLException {
        String typeName = metadata.getColumnTypeName(column);
        int jdbcType = metadata.getColumnType(column);
        if (jdbcType == Types.BIT || jdbcType == Types.BOOLEAN) {
            int width = metadata.getPrecision(column);
            return width <= 1 ? rs -> {
                // TINYINT(1) is reported as BIT too: its value says whether it is really a flag
                long value = rs.getLong(column);
                if (rs.wasNull()) {
                    return null;
                }
                return value == 0 || value == 1 ? (Object) (value == 1) : (Object) value;
            } : rs -> bits(rs.getBytes(column), width);
        }
        return switch (typeName) {
            case "BIGINT UNSIGNED" -> rs -> {
                String text = rs.getString(column);
                return text == null ? null : new BigDecimal(text);
            };
            case "TIMESTAMP" -> rs -> StandardColumnReaders.instant(rs.getObject(column, OffsetDateTime.class));
            case "TIME" -> rs -> time(rs.getString(column));
            case "JSON" -> rs -> {
                String json = rs.getString(column);
                return json == null ? null : new JsonText(json);
            };
            default -> StandardColumnReaders.forColumn(metadata, column);
        };
    }

    /** {@code BIT(n)} as PostgreSQL prints {@code bit(n)}: n digits, most significant first. */
    static String bits(byte[] bytes, int width) {
        if (bytes == null) {
            return null;
        }
        StringBuilder digits = new StringBuilder(bytes.length * 8);
        for (byte b : bytes) {
            for (int bit = 7; bit >= 0; bit--) {
                digits.append((b >> bit & 1) == 1 ? '1' : '0');
            }
        }
        int n = Math.max(1, width);
        while (digits.length() < n) {
            digits.insert(0, '0');
        }
        return digits.substring(digits.length() - n);
    }

    private static Object time(String text) {
        if (text == null) {
            return null;
        }
        if (TIME_OF_DAY.matcher(text).matches()) {
            try {
                return LocalTime.parse(text);
            } catch (DateTimeParseException e) {
                return text;
            }
        }
        return text;
    }


    private static NonRegisteringDriver newDriver() {
        try {
            return new NonRegisteringDriver();
        } catch (SQLException e) {
            throw new IllegalStateException("MySQL Connector/J cannot be loaded", e);
        }
    }
}
