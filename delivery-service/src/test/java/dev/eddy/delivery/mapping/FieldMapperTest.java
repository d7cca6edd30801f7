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
                () -> FieldMapper.of(List.of(new SyncSpec.Mapping(null, "x", "lookup", null, null, null))));
        assertTrue(type.getMessage().contains("lookup"));
        assertThrows(InvalidMappingException.class, () -> FieldMapper.of(List.of(standard("email", " "))));
        assertThrows(InvalidMappingException.class, () -> FieldMapper.of(List.of(standard(null, "email"))));
        assertThrows(InvalidMappingException.class, () -> FieldMapper.of(List.of(
                new SyncSpec.Mapping(null, "x", "variable", null, "warehouse-name", null))));
        assertThrows(InvalidMappingException.class, () -> FieldMapper.of(List.of(
                new SyncSpec.Mapping(null, "x", "template", null, null, "{% if %}"))));
    }

    @Test
    void staticMappingsSetFixedJsonValues() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        FieldMapper mapper = FieldMapper.of(List.of(
                new SyncSpec.Mapping(null, "source", "static", json.readTree("\"eddy\""), null, null),
                new SyncSpec.Mapping(null, "tags", "static", json.readTree("[\"vip\", 2]"), null, null)));

        Map<String, Object> row = mapper.map(Operation.ADDED, ROW);

        assertEquals("eddy", row.get("source"));
        assertEquals(List.of("vip", 2), row.get("tags"));
    }

    @Test
    void variableMappingsNameTheSyncTheRunAndTheModel() throws Exception {
        FieldMapper mapper = FieldMapper.of(List.of(
                new SyncSpec.Mapping(null, "sync", "variable", null, "sync-id", null),
                new SyncSpec.Mapping(null, "run", "variable", null, "sync-run-id", null),
                new SyncSpec.Mapping(null, "model", "variable", null, "model-name", null)),
                new FieldMapper.Variables("42", "1700000000001", "Active users"));

        assertEquals(Map.of("sync", "42", "run", "1700000000001", "model", "Active users"), mapper.map(Operation.CHANGED, ROW));
    }

    @Test
    void templateMappingsRenderLiquidOverTheRow() throws Exception {
        FieldMapper mapper = FieldMapper.of(List.of(
                new SyncSpec.Mapping(null, "email", "template", null, null, "{{ row.email | upcase }}"),
                new SyncSpec.Mapping(null, "greeting", "template", null, null, "Hi {{ row.first_name }} (#{{ row.id }})")));

        Map<String, Object> row = mapper.map(Operation.ADDED, ROW);

        assertEquals("ADA@EXAMPLE.COM", row.get("email"));
        assertEquals("Hi Ada (#7)", row.get("greeting"));
    }

    @Test
    void dottedDestinationPathsBuildNestedObjects() throws Exception {
        FieldMapper mapper = FieldMapper.of(List.of(standard("email", "contact.email"), standard("first_name", "contact.name.first"),
                standard("id", "id")));

        Map<String, Object> row = mapper.map(Operation.ADDED, ROW);

        assertEquals(Map.of("contact", Map.of("email", "ada@example.com", "name", Map.of("first", "Ada")), "id", 7), row);
        assertEquals(List.of("contact", "id"), mapper.mappedFields());
        Map<String, Object> cleared = new java.util.HashMap<>();
        cleared.put("id", null);
        Map<String, Object> name = new java.util.HashMap<>();
        name.put("first", null);
        Map<String, Object> contact = new java.util.HashMap<>();
        contact.put("email", null);
        contact.put("name", name);
        cleared.put("contact", contact);
        assertEquals(cleared, mapper.clearedFields());
    }
}
