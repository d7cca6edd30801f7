package dev.eddy.extractor.spi;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.ArrayList;
import java.util.List;

/** Column readers chosen by the JDBC type alone; dialects override the types their driver reports loosely. */
public final class StandardColumnReaders {

    private StandardColumnReaders() {
    }

    /** The reader of column {@code column} (1-based) by its JDBC type. */
    public static ColumnReader forColumn(ResultSetMetaData metadata, int column) throws SQLException {
        return switch (metadata.getColumnType(column)) {
            case Types.BIT, Types.BOOLEAN -> rs -> {
                boolean value = rs.getBoolean(column);
                return rs.wasNull() ? null : value;
            };
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> rs -> {
                long value = rs.getLong(column);
                return rs.wasNull() ? null : value;
            };
            case Types.NUMERIC, Types.DECIMAL -> rs -> rs.getBigDecimal(column);
            case Types.REAL -> rs -> {
                float value = rs.getFloat(column);
                return rs.wasNull() ? null : floatingPoint(Float.toString(value), Float.isFinite(value), value);
            };
            case Types.FLOAT, Types.DOUBLE -> rs -> {
                double value = rs.getDouble(column);
                return rs.wasNull() ? null : floatingPoint(Double.toString(value), Double.isFinite(value), value);
            };
            case Types.DATE -> rs -> rs.getObject(column, LocalDate.class);
            case Types.TIME -> rs -> rs.getObject(column, LocalTime.class);
            case Types.TIME_WITH_TIMEZONE -> rs -> rs.getObject(column, OffsetTime.class);
            case Types.TIMESTAMP -> rs -> rs.getObject(column, LocalDateTime.class);
            case Types.TIMESTAMP_WITH_TIMEZONE -> rs -> instant(rs.getObject(column, OffsetDateTime.class));
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> rs -> rs.getBytes(column);
            case Types.ARRAY -> rs -> array(rs.getArray(column));
            default -> rs -> rs.getString(column);
        };
    }

    /** A finite floating-point value as the decimal it prints as (so 0.1 stays 0.1), else the double itself. */
    static Object floatingPoint(String printed, boolean finite, double value) {
        return finite ? new BigDecimal(printed) : (Object) value;
    }

    public static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }

    /** The elements of a SQL array as a list of plain values (see {@link ColumnReader}). */
    public static List<Object> array(Array array) throws SQLException {
        if (array == null) {
            return null;
        }
        try {
            return elements((Object[]) array.getArray());
        } finally {
            array.free();
        }
    }

    private static List<Object> elements(Object[] values) {
        List<Object> list = new ArrayList<>(values.length);
        for (Object value : values) {
            list.add(element(value));
        }
        return list;
    }

    /** One array element, as the driver returned it, as a plain value. */
    public static Object element(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Long
                || value instanceof BigDecimal || value instanceof byte[] || value instanceof JsonText) {
            return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float f) {
            return floatingPoint(Float.toString(f), Float.isFinite(f), f);
        }
        if (value instanceof Double d) {
            return floatingPoint(Double.toString(d), Double.isFinite(d), d);
        }
        if (value instanceof java.math.BigInteger big) {
            return new BigDecimal(big);
        }
        if (value instanceof java.sql.Timestamp ts) {
            return ts.toLocalDateTime();
        }
        if (value instanceof java.sql.Date date) {
            return date.toLocalDate();
        }
        if (value instanceof java.sql.Time time) {
            return time.toLocalTime();
        }
        if (value instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (value instanceof Object[] nested) {
            return elements(nested);
        }
        return value.toString();
    }
}
