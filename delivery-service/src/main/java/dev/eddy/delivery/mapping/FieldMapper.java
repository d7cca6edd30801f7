package dev.eddy.delivery.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.delivery.spi.DeliveryRow;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a model row into the fields a destination receives, following the sync's mappings: a
 * {@code standard} mapping {@code {from, to}} sets {@code row[to] = data[from]} (null when the column is
 * absent); with no mappings the whole row is sent as it is. A removed row carries no data and maps to an
 * empty object: the destination identifies it by its primary key alone.
 */
public final class FieldMapper {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {
    };

    private record Standard(String from, String to) {
    }

    private final List<Standard> mappings;

    private FieldMapper(List<Standard> mappings) {
        this.mappings = mappings;
    }

    /** A mapper for a sync's mappings; only {@code standard} mappings are supported so far. */
    public static FieldMapper of(List<SyncSpec.Mapping> mappings) throws InvalidMappingException {
        List<Standard> standard = new ArrayList<>();
        for (SyncSpec.Mapping m : mappings) {
            if (!"standard".equals(m.typeOrDefault())) {
                throw new InvalidMappingException("mapping type '" + m.typeOrDefault() + "' is not supported");
            }
            if (m.from() == null || m.from().isBlank()) {
                throw new InvalidMappingException("a standard mapping has no 'from' column");
            }
            if (m.to() == null || m.to().isBlank()) {
                throw new InvalidMappingException("the mapping of column '" + m.from() + "' has no 'to' field");
            }
            standard.add(new Standard(m.from(), m.to()));
        }
        return new FieldMapper(List.copyOf(standard));
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
        Map<String, Object> data = parse(dataJson);
        if (mappings.isEmpty()) {
            return data;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (Standard m : mappings) {
            row.put(m.to(), data.get(m.from()));
        }
        return row;
    }

    private static Map<String, Object> parse(String dataJson) throws RowDataException {
        if (dataJson == null) {
            throw new RowDataException("the row has no data", null);
        }
        try {
            Map<String, Object> data = JSON.readValue(dataJson, OBJECT);
            if (data == null) {
                throw new RowDataException("the row data is not a JSON object", null);
            }
            return data;
        } catch (JsonProcessingException e) {
            throw new RowDataException("the row data is not a JSON object: " + e.getOriginalMessage(), e);
        }
    }
}
