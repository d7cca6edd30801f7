package dev.eddy.delivery.mapping;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The streaming row reader ({@link FieldMapper#parse}) gives exactly what Jackson's data binding gave before it
 * (ordered maps, exact decimals, Integer/Long/BigInteger), on hand-picked and 5,000 random documents.
 */
class RowJsonEquivalenceTest {

    static final ObjectMapper BINDING = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
    private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {
    };

    private static void assertSameAsDataBinding(String json) throws Exception {
        Map<String, Object> expected = BINDING.readValue(json, OBJECT);
        Map<String, Object> actual = FieldMapper.parse(json);
        assertEquals(expected, actual, json);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), "key order of " + json);
        assertEquals(types(expected), types(actual), json);
    }

    /** The value classes, so Integer vs Long vs BigDecimal differences show. */
    private static String types(Object value) {
        if (value instanceof Map<?, ?> map) {
            StringBuilder out = new StringBuilder("{");
            map.forEach((k, v) -> out.append(k).append('=').append(types(v)).append(','));
            return out.append('}').toString();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(RowJsonEquivalenceTest::types).toList().toString();
        }
        return value == null ? "null" : value.getClass().getSimpleName() + ":" + value;
    }

    @Test
    void handPickedDocumentsReadAsDataBindingReadThem() throws Exception {
        for (String json : List.of(
                "{}",
                "{\"id\": 1, \"email\": \"a@x.io\", \"ltv\": 12.30, \"plan\": null, \"active\": true, \"deleted\": false}",
                "{\"big\": 12345678901234567890123, \"long\": 9007199254740993, \"neg\": -7, \"exp\": 1.5e3, \"tiny\": 1E-20}",
                "{\"nested\": {\"a\": [1, 2.50, \"x\", null, {\"b\": []}], \"c\": {}}, \"unicode\": \"\\u00e9\\n\\\"q\\\"\"}",
                "{\"dup\": 1, \"other\": 2, \"dup\": 3}",
                "{\"numeric\": 0.1, \"money\": 123456789012345678.000000001}")) {
            assertSameAsDataBinding(json);
        }
    }

    @Test
    void randomDocumentsReadAsDataBindingReadThem() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 5000; i++) {
            Map<String, Object> document = object(random, 0);
            assertSameAsDataBinding(BINDING.writeValueAsString(document));
        }
    }

    @Test
    void whatIsNotAnObjectIsRefused() {
        for (String json : List.of("[1, 2]", "\"text\"", "42", "{\"a\": ", "not json")) {
            assertThrows(RowDataException.class, () -> FieldMapper.parse(json), json);
        }
        assertThrows(RowDataException.class, () -> FieldMapper.parse(null));
    }

    static Map<String, Object> object(Random random, int depth) {
        Map<String, Object> object = new LinkedHashMap<>();
        int fields = random.nextInt(depth == 0 ? 12 : 4);
        for (int f = 0; f < fields; f++) {
            object.put("f" + random.nextInt(20) + (random.nextBoolean() ? "_é" : ""), value(random, depth));
        }
        return object;
    }

    static Object value(Random random, int depth) {
        return switch (random.nextInt(depth > 2 ? 8 : 10)) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> random.nextInt();
            case 3 -> random.nextLong();
            case 4 -> new BigInteger(80, random);
            case 5 -> new BigDecimal(new BigInteger(random.nextInt(90) + 1, random), random.nextInt(12) - 2);
            case 6 -> "s" + random.nextInt() + (random.nextBoolean() ? "\"\\\n\t€𝄞" : "");
            case 7 -> "";
            case 8 -> object(random, depth + 1);
            default -> {
                List<Object> array = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(value(random, depth + 1));
                }
                yield array;
            }
        };
    }
}
