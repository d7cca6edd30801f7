package dev.eddy.delivery.mapping;

import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.delivery.spi.DeliveryRow.Operation;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FieldMapperTest {

    private static final String ROW = "{\"id\": 7, \"email\": \"ada@example.com\", \"first_name\": \"Ada\", \"ltv\": 123.40}";

    private static SyncSpec.Mapping standard(String from, String to) {
        return new SyncSpec.Mapping(from, to, "standard", null, null, null);
    }

    @Test
    void standardMappingsCopyColumnsToTheirDestinationFieldsInOrder() throws Exception {
        FieldMapper mapper = FieldMapper.of(List.of(standard("email", "emailAddress"), standard("first_name", "firstName")));

        Map<String, Object> row = mapper.map(Operation.CHANGED, ROW);

        assertEquals(List.of("emailAddress", "firstName"), List.copyOf(row.keySet()));
        assertEquals("ada@example.com", row.get("emailAddress"));
        assertEquals("Ada", row.get("firstName"));
    }

    @Test
    void aMappingWithoutTypeIsStandard() throws Exception {
        FieldMapper mapper = FieldMapper.of(List.of(new SyncSpec.Mapping("id", "userId", null, null, null, null)));

        assertEquals(Map.of("userId", 7), mapper.map(Operation.ADDED, ROW));
    }

    @Test
    void withoutMappingsTheWholeRowIsSentWithExactDecimals() throws Exception {
        Map<String, Object> row = FieldMapper.of(List.of()).map(Operation.ADDED, ROW);

        assertEquals(List.of("id", "email", "first_name", "ltv"), List.copyOf(row.keySet()));
        assertEquals(new BigDecimal("123.40"), row.get("ltv"));
    }

    @Test
    void aMissingColumnMapsToNull() throws Exception {
        Map<String, Object> row = FieldMapper.of(List.of(standard("plan", "plan"))).map(Operation.ADDED, ROW);

        assertTrue(row.containsKey("plan"));
        assertNull(row.get("plan"));
    }

    @Test
    void aRemovedRowMapsToAnEmptyObject() throws Exception {
        assertEquals(Map.of(), FieldMapper.of(List.of(standard("email", "email"))).map(Operation.REMOVED, null));
    }

    @Test
    void rowDataThatIsNotAJsonObjectIsRefused() throws Exception {
        FieldMapper mapper = FieldMapper.of(List.of());

        assertThrows(RowDataException.class, () -> mapper.map(Operation.ADDED, "[1, 2]"));
        assertThrows(RowDataException.class, () -> mapper.map(Operation.ADDED, null));
    }

    @Test
    void unsupportedOrIncompleteMappingsAreRefusedUpFront() {
        InvalidMappingException type = assertThrows(InvalidMappingException.class,
                () -> FieldMapper.of(List.of(new SyncSpec.Mapping(null, "x", "template", null, null, "{{ row.email }}"))));
        assertTrue(type.getMessage().contains("template"));
        assertThrows(InvalidMappingException.class, () -> FieldMapper.of(List.of(standard("email", " "))));
        assertThrows(InvalidMappingException.class, () -> FieldMapper.of(List.of(standard(null, "email"))));
    }
}
