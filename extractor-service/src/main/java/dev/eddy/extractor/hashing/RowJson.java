package dev.eddy.extractor.hashing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.eddy.extractor.spi.JsonText;

import com.fasterxml.jackson.core.io.SerializedString;

import java.io.IOException;
import java.io.Writer;
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
 * arrays, bytes as base64, NULL as null. One instance per result: it reuses one generator and buffer
 * across rows (creating them per row cost more than writing the row); not thread-safe.
 */
public final class RowJson {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private final SerializedString[] columns;
    private final StringBuilderWriter writer = new StringBuilderWriter();
    private final JsonGenerator out;

    /** @param columns the result's column names, in result order */
    public RowJson(List<String> columns) {
        this.columns = columns.stream().map(SerializedString::new).toArray(SerializedString[]::new);
        try {
            this.out = FACTORY.createGenerator(writer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.setRootValueSeparator(null);
    }

    /** The JSON object of one row, whose values are in result order. */
    public String write(Object[] values) {
        writer.builder.setLength(0);
        try {
            out.writeStartObject();
            for (int i = 0; i < columns.length; i++) {
                out.writeFieldName(columns[i]);
                writeValue(values[i], out);
            }
            out.writeEndObject();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return writer.builder.toString();
    }

    /** A writer over a reusable builder (StringWriter would synchronize on every write). */
    private static final class StringBuilderWriter extends Writer {
        private final StringBuilder builder = new StringBuilder(512);

        @Override
        public void write(char[] buffer, int offset, int length) {
            builder.append(buffer, offset, length);
        }

        @Override
        public void write(String text, int offset, int length) {
            builder.append(text, offset, offset + length);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
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
            out.writeString(IsoInstant.format(instant));
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
