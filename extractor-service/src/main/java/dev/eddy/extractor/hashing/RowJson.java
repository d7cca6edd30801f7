package dev.eddy.extractor.hashing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.eddy.extractor.spi.JsonText;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;

/**
 * A row as a JSON object of every column, in natural JSON types: numbers as JSON numbers with their full
 * precision, timestamps with a zone as ISO-8601 UTC, dates and times ISO, json/jsonb embedded, arrays as
 * arrays, bytes as base64, NULL as null. Thread-safe.
 */
public final class RowJson {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private final String[] columns;

    /** @param columns the result's column names, in result order */
    public RowJson(List<String> columns) {
        this.columns = columns.toArray(String[]::new);
    }

    /** The JSON object of one row, whose values are in result order. */
    public String write(Object[] values) {
        StringWriter writer = new StringWriter(64 + 32 * columns.length);
        try (JsonGenerator out = FACTORY.createGenerator(writer)) {
            out.writeStartObject();
            for (int i = 0; i < columns.length; i++) {
                out.writeFieldName(columns[i]);
                writeValue(values[i], out);
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return writer.toString();
    }

    private static void writeValue(Object value, JsonGenerator out) throws IOException {
        if (value == null) {
            out.writeNull();
        } else if (value instanceof String s) {
            out.writeString(s);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            out.writeNumber(((Number) value).longValue());
        } else if (value instanceof BigDecimal d) {
            out.writeNumber(d);
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isFinite(d)) {
                out.writeNumber(new BigDecimal(value.toString()));
            } else {
                out.writeString(Double.toString(d));
            }
        } else if (value instanceof Boolean b) {
            out.writeBoolean(b);
        } else if (value instanceof Instant instant) {
            out.writeString(instant.toString());
        } else if (value instanceof LocalDateTime ldt) {
            out.writeString(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(ldt));
        } else if (value instanceof LocalTime time) {
            out.writeString(DateTimeFormatter.ISO_LOCAL_TIME.format(time));
        } else if (value instanceof OffsetTime time) {
            out.writeString(DateTimeFormatter.ISO_OFFSET_TIME.format(time));
        } else if (value instanceof byte[] bytes) {
            out.writeString(Base64.getEncoder().encodeToString(bytes));
        } else if (value instanceof JsonText json) {
            out.writeRawValue(json.json());
        } else if (value instanceof List<?> list) {
            out.writeStartArray();
            for (Object element : list) {
                writeValue(element, out);
            }
            out.writeEndArray();
        } else {
            out.writeString(value.toString());
        }
    }
}
