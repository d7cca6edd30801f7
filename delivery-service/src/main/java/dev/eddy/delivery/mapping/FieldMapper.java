package dev.eddy.delivery.mapping;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.contracts.template.InvalidTemplateException;
import dev.eddy.contracts.template.Liquid;
import dev.eddy.delivery.spi.DeliveryRow;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a model row into the fields a destination receives, following the sync's mappings, each with a
 * {@code to} field and a {@code type}:
 * <ul>
 *   <li>{@code standard} {@code {from}}: the column's value (null when the column is absent);</li>
 *   <li>{@code static} {@code {value}}: a fixed JSON value;</li>
 *   <li>{@code variable} {@code {variable}}: {@code sync-id}, {@code sync-run-id} or {@code model-name};</li>
 *   <li>{@code template} {@code {template}}: a Liquid template over {@code row} (every column of the row),
 *       rendered to a string.</li>
 * </ul>
 * A dotted {@code to} ({@code address.city}) builds nested objects. With no mappings the whole row is sent as
 * it is. A removed row carries no data and maps to an empty object: the destination identifies it by its
 * primary key alone ({@link #clearedFields()} gives the mapped fields set to null, for {@code clear_fields}).
 */
public final class FieldMapper {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    /**
     * Reads every row of every batch: a plain streaming parser (no data binding per row), not keeping the source for
     * error locations (building that reference per row showed in profiles).
     */
    private static final JsonFactory ROWS = JsonFactory.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION).build();

    /** The run-level values {@code variable} mappings read. */
    public record Variables(String syncId, String runId, String modelName) {
        public static Variables none() {
            return new Variables(null, null, null);
        }
    }

    /** One mapping, compiled: a value source and the destination path it writes. */
    private interface Source {
        Object value(Map<String, Object> data) throws RowDataException;
    }

    private record Compiled(List<String> path, Source source) {
    }

    private final List<Compiled> mappings;

    private FieldMapper(List<Compiled> mappings) {
        this.mappings = mappings;
    }

    /** A mapper without run variables (variables map to null). */
    public static FieldMapper of(List<SyncSpec.Mapping> mappings) throws InvalidMappingException {
        return of(mappings, Variables.none());
    }

    /** A mapper for a sync's mappings within one run; every problem of a mapping is refused here, up front. */
    public static FieldMapper of(List<SyncSpec.Mapping> mappings, Variables variables) throws InvalidMappingException {
        List<Compiled> compiled = new ArrayList<>();
        for (SyncSpec.Mapping m : mappings) {
            String type = m.typeOrDefault();
            String label = m.from() != null ? "column '" + m.from() + "'" : "a " + type + " mapping";
            if (m.to() == null || m.to().isBlank()) {
                throw new InvalidMappingException("the mapping of " + label + " has no 'to' field");
            }
            List<String> path = List.of(m.to().trim().split("\\.", -1));
            if (path.stream().anyMatch(String::isBlank)) {
                throw new InvalidMappingException("the 'to' field '" + m.to() + "' has an empty path segment");
            }
            Source source = switch (type) {
                case "standard" -> {
                    if (m.from() == null || m.from().isBlank()) {
                        throw new InvalidMappingException("a standard mapping has no 'from' column");
                    }
                    String from = m.from();
                    yield data -> data.get(from);
                }
                case "static" -> {
                    Object value = m.value() == null ? null : JSON.convertValue(m.value(), Object.class);
                    yield data -> value;
                }
                case "variable" -> {
                    String value = variable(m.variable(), variables);
                    yield data -> value;
                }
                case "template" -> {
                    if (m.template() == null) {
                        throw new InvalidMappingException("the template mapping to '" + m.to() + "' has no 'template'");
                    }
                    Liquid.Compiled template;
                    try {
                        template = Liquid.parse(m.template());
                    } catch (InvalidTemplateException e) {
                        throw new InvalidMappingException(e.getMessage());
                    }
                    yield data -> {
                        try {
                            return template.render(Map.of("row", data));
                        } catch (InvalidTemplateException e) {
                            throw new RowDataException(e.getMessage(), e);
                        }
                    };
                }
                default -> throw new InvalidMappingException("mapping type '" + type
                        + "' is not supported (standard, static, variable, template)");
            };
            compiled.add(new Compiled(path, source));
        }
        return new FieldMapper(List.copyOf(compiled));
    }

    private static String variable(String name, Variables variables) throws InvalidMappingException {
        if (name == null) {
            throw new InvalidMappingException("a variable mapping has no 'variable'");
        }
        return switch (name) {
            case "sync-id" -> variables.syncId();
            case "sync-run-id" -> variables.runId();
            case "model-name" -> variables.modelName();
            default -> throw new InvalidMappingException("unknown variable '" + name
                    + "' (sync-id, sync-run-id, model-name)");
        };
    }

    /** The top-level destination fields the mappings write, in order; empty when whole rows are sent. */
    public List<String> mappedFields() {
        List<String> fields = new ArrayList<>();
        for (Compiled m : mappings) {
            if (!fields.contains(m.path().get(0))) {
                fields.add(m.path().get(0));
            }
        }
        return fields;
    }

    /** Every mapped destination field set to null (nested paths as nested objects): what clear_fields sends. */
    public Map<String, Object> clearedFields() {
        Map<String, Object> row = new LinkedHashMap<>();
        for (Compiled m : mappings) {
            put(row, m.path(), null);
        }
        return row;
    }

    /**
     * The destination fields of one row.
     *
     * @param dataJson the row as a JSON object of every column; ignored (and usually null) for a removed row
     */
    public Map<String, Object> map(DeliveryRow.Operation op, String dataJson) throws RowDataException {
        if (op == DeliveryRow.Operation.REMOVED) {
            return Collections.emptyMap();
        }
        return mapData(parse(dataJson));
    }

    /** The destination fields of a row's data (already parsed). */
    public Map<String, Object> mapData(Map<String, Object> data) throws RowDataException {
        if (mappings.isEmpty()) {
            return data;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (Compiled m : mappings) {
            put(row, m.path(), m.source().value(data));
        }
        return row;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> row, List<String> path, Object value) {
        Map<String, Object> at = row;
        for (int i = 0; i < path.size() - 1; i++) {
            Object next = at.get(path.get(i));
            if (!(next instanceof Map)) {
                // a later nested path wins over an earlier plain value of the same name
                next = new LinkedHashMap<String, Object>();
                at.put(path.get(i), next);
            }
            at = (Map<String, Object>) next;
        }
        at.put(path.get(path.size() - 1), value);
    }

    /**
     * Parses a row's data JSON into an ordered map with exact decimals: what Jackson's data binding gives with
     * {@code USE_BIG_DECIMAL_FOR_FLOATS} (strings, Integer/Long/BigInteger, BigDecimal, booleans, nulls, nested
     * LinkedHashMaps and ArrayLists; a repeated key keeps its last value), read straight off the token stream because
     * this runs for every row delivered.
     */
    public static Map<String, Object> parse(String dataJson) throws RowDataException {
        if (dataJson == null) {
            throw new RowDataException("the row has no data", null);
        }
        try (JsonParser parser = ROWS.createParser(dataJson)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new RowDataException("the row data is not a JSON object", null);
            }
            return readObject(parser);
        } catch (JsonProcessingException e) {
            throw new RowDataException("the row data is not a JSON object: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new RowDataException("the row data cannot be read: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> readObject(JsonParser parser) throws IOException {
        Map<String, Object> object = new LinkedHashMap<>();
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            parser.nextToken();
            object.put(name, readValue(parser));
        }
        return object;
    }

    private static Object readValue(JsonParser parser) throws IOException {
        return switch (parser.currentToken()) {
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT -> parser.getNumberValue();
            case VALUE_NUMBER_FLOAT -> parser.getDecimalValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            case START_OBJECT -> readObject(parser);
            case START_ARRAY -> {
                List<Object> array = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(readValue(parser));
                }
                yield array;
            }
            default -> throw new JsonParseException(parser, "unexpected " + parser.currentToken());
        };
    }
}
