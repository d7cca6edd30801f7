package dev.eddy.extractor.hashing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.eddy.extractor.spi.JsonText;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical form of a column value, so that the same value read twice hashes the same: a type tag
 * then the value, length-prefixed. NULL has its own tag (never equal to an empty string); numbers are
 * compared by value (scale and integer/decimal type do not matter: 1.50 == 1.5 == 1.5e0); timestamps with
 * a zone as instants; JSON by content (object keys sorted, numbers canonical); arrays element-wise.
 */
public final class CanonicalValue {

    static final byte NULL = 'Z';
    static final byte STRING = 'S';
    static final byte NUMBER = 'N';
    static final byte NON_FINITE = 'F';
    static final byte BOOLEAN = 'B';
    static final byte INSTANT = 'T';
    static final byte LOCAL_DATE_TIME = 'L';
    static final byte DATE = 'D';
    static final byte TIME = 't';
    static final byte OFFSET_TIME = 'O';
    static final byte BYTES = 'X';
    static final byte JSON = 'J';
    static final byte ARRAY = 'A';

    private static final JsonFactory JSON_FACTORY = new JsonFactory();
    private static final JsonStringEncoder STRING_ENCODER = JsonStringEncoder.getInstance();

    private CanonicalValue() {
    }

    /** Appends the tagged canonical form of {@code value} (a {@link dev.eddy.extractor.spi.ColumnReader} value). */
    public static void encode(Object value, ByteSink out) {
        if (value == null) {
            out.put(NULL);
        } else if (value instanceof String s) {
            out.put(STRING);
            out.putText(s);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            out.put(NUMBER);
            out.putText(Long.toString(((Number) value).longValue()));
        } else if (value instanceof BigDecimal d) {
            out.put(NUMBER);
            out.putText(number(d));
        } else if (value instanceof BigInteger i) {
            out.put(NUMBER);
            out.putText(i.toString());
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isFinite(d)) {
                out.put(NUMBER);
                out.putText(number(new BigDecimal(value.toString())));
            } else {
                out.put(NON_FINITE);
                out.putText(Double.toString(d));
            }
        } else if (value instanceof Boolean b) {
            out.put(BOOLEAN);
            out.put((byte) (b ? 1 : 0));
        } else if (value instanceof Instant instant) {
            out.put(INSTANT);
            out.putLong(instant.getEpochSecond());
            out.putInt(instant.getNano());
        } else if (value instanceof java.time.OffsetDateTime odt) {
            encode(odt.toInstant(), out);
        } else if (value instanceof java.time.ZonedDateTime zdt) {
            encode(zdt.toInstant(), out);
        } else if (value instanceof LocalDateTime ldt) {
            out.put(LOCAL_DATE_TIME);
            out.putText(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(ldt));
        } else if (value instanceof LocalDate date) {
            out.put(DATE);
            out.putText(date.toString());
        } else if (value instanceof LocalTime time) {
            out.put(TIME);
            out.putText(DateTimeFormatter.ISO_LOCAL_TIME.format(time));
        } else if (value instanceof OffsetTime time) {
            out.put(OFFSET_TIME);
            out.putText(DateTimeFormatter.ISO_OFFSET_TIME.format(time));
        } else if (value instanceof byte[] bytes) {
            out.put(BYTES);
            out.putBytes(bytes);
        } else if (value instanceof JsonText json) {
            out.put(JSON);
            out.putText(json(json.json()));
        } else if (value instanceof List<?> list) {
            out.put(ARRAY);
            out.putInt(list.size());
            for (Object element : list) {
                encode(element, out);
            }
        } else {
            out.put(STRING);
            out.putText(value.toString());
        }
    }

    /**
     * The canonical text of a value, as a primary key is carried ({@code Row.pk}): strings as they are,
     * numbers by value without exponent or trailing zeros, instants in ISO-8601 UTC, JSON canonical.
     */
    public static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return Long.toString(((Number) value).longValue());
        }
        if (value instanceof BigDecimal d) {
            return number(d);
        }
        if ((value instanceof Double || value instanceof Float) && Double.isFinite(((Number) value).doubleValue())) {
            return number(new BigDecimal(value.toString()));
        }
        if (value instanceof LocalDateTime ldt) {
            return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(ldt);
        }
        if (value instanceof LocalTime time) {
            return DateTimeFormatter.ISO_LOCAL_TIME.format(time);
        }
        if (value instanceof byte[] bytes) {
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (value instanceof JsonText json) {
            return json(json.json());
        }
        if (value instanceof List<?> list) {
            List<String> parts = new ArrayList<>(list.size());
            for (Object element : list) {
                parts.add(element == null ? "null" : text(element));
            }
            return "{" + String.join(",", parts) + "}";
        }
        return value.toString();
    }

    /** A number by value: no exponent, no trailing zeros, zero as {@code 0}. */
    public static String number(BigDecimal value) {
        if (value.signum() == 0) {
            return "0";
        }
        return value.stripTrailingZeros().toPlainString();
    }

    /**
     * JSON text in canonical form: object keys sorted, numbers by value, no whitespace; invalid JSON as it is.
     * Read with the streaming parser into a string builder (no tree, no generator per value): this runs
     * for every json/jsonb value of every row. A repeated object key keeps its last value.
     */
    public static String json(String text) {
        try (JsonParser parser = JSON_FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return "null";
            }
            StringBuilder out = new StringBuilder(text.length());
            writeCanonical(parser, first, out);
            return out.toString();
        } catch (IOException e) {
            return text;
        }
    }

    private static void writeCanonical(JsonParser parser, JsonToken token, StringBuilder out) throws IOException {
        if (token == null) {
            throw new JsonParseException(parser, "unexpected end of the document");
        }
        switch (token) {
            case START_OBJECT -> {
                TreeMap<String, String> fields = new TreeMap<>();
                JsonToken t = parser.nextToken();
                for (; t == JsonToken.FIELD_NAME; t = parser.nextToken()) {
                    String name = parser.currentName();
                    StringBuilder value = new StringBuilder();
                    writeCanonical(parser, parser.nextToken(), value);
                    fields.put(name, value.toString());
                }
                if (t != JsonToken.END_OBJECT) {
                    throw new JsonParseException(parser, "unexpected end of an object");
                }
                out.append('{');
                boolean firstField = true;
                for (Map.Entry<String, String> field : fields.entrySet()) {
                    if (!firstField) {
                        out.append(',');
                    }
                    firstField = false;
                    quote(field.getKey(), out);
                    out.append(':').append(field.getValue());
                }
                out.append('}');
            }
            case START_ARRAY -> {
                out.append('[');
                boolean firstElement = true;
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    if (t == null) {
                        throw new JsonParseException(parser, "unexpected end of an array");
                    }
                    if (!firstElement) {
                        out.append(',');
                    }
                    firstElement = false;
                    writeCanonical(parser, t, out);
                }
                out.append(']');
            }
            case VALUE_STRING -> quote(parser.getText(), out);
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> out.append(number(parser.getDecimalValue()));
            case VALUE_TRUE -> out.append("true");
            case VALUE_FALSE -> out.append("false");
            case VALUE_NULL -> out.append("null");
            default -> throw new JsonParseException(parser, "unexpected token " + token);
        }
    }

    /** A JSON string literal, escaped exactly as Jackson's generator escapes it by default. */
    private static void quote(String value, StringBuilder out) {
        out.append('"').append(STRING_ENCODER.quoteAsString(value)).append('"');
    }

    /** Where canonical bytes go (a digest's buffer). */
    public interface ByteSink {
        void put(byte b);

        /** Length-prefixed bytes. */
        void putBytes(byte[] bytes);

        void putInt(int value);

        void putLong(long value);

        /** Length-prefixed UTF-8. */
        default void putText(String text) {
            putBytes(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
