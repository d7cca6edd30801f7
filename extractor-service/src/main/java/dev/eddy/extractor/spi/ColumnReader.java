package dev.eddy.extractor.spi;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Reads one column of the current row into a plain Java value, one of: {@code null}, {@link Boolean},
 * {@link Long}, {@link java.math.BigDecimal}, {@link Double} (only NaN and infinities), {@link String},
 * {@link java.time.Instant} (timestamps with a zone), {@link java.time.LocalDateTime},
 * {@link java.time.LocalDate}, {@link java.time.LocalTime}, {@link java.time.OffsetTime}, {@code byte[]},
 * {@link JsonText}, or a {@link java.util.List} of these (arrays).
 */
@FunctionalInterface
public interface ColumnReader {

    Object read(ResultSet resultSet) throws SQLException;
}
