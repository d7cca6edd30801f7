package dev.eddy.extractor.hashing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.extractor.spi.JsonText;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RowJsonTest {

    @Test
    void everyColumnInItsNaturalJsonType() throws Exception {
        List<String> columns = List.of("id", "big", "ltv", "active", "seen", "day", "at", "doc", "tags", "blob", "gone", "nan");
        String json = new RowJson(columns).write(new Object[]{
                7L,
                new BigDecimal("12345678901234567890.123456789"),
                new BigDecimal("640.50"),
                true,
                Instant.parse("2026-03-01T09:00:00Z"),
                LocalDate.of(2026, 3, 1),
                LocalDateTime.of(2026, 3, 1, 10, 0),
                new JsonText("{\"k\": [1, \"two\"]}"),
                Arrays.asList("a", null),
                new byte[]{1, 2, 3},
                null,
                Double.NaN});

        assertTrue(json.contains("\"big\":12345678901234567890.123456789"), json);
        assertTrue(json.contains("\"ltv\":640.50"), json);
        JsonNode row = new ObjectMapper().readTree(json);
        assertEquals(columns, iterable(row));
        assertEquals(7, row.get("id").intValue());
        assertTrue(row.get("active").booleanValue());
        assertEquals("2026-03-01T09:00:00Z", row.get("seen").textValue());
        assertEquals("2026-03-01", row.get("day").textValue());
        assertEquals("2026-03-01T10:00:00", row.get("at").textValue());
        assertEquals("two", row.get("doc").get("k").get(1).textValue());
        assertEquals(2, row.get("tags").size());
        assertTrue(row.get("tags").get(1).isNull());
        assertEquals("AQID", row.get("blob").textValue());
        assertTrue(row.get("gone").isNull());
        assertEquals("NaN", row.get("nan").textValue());
    }

    private static List<String> iterable(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
