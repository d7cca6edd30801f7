package dev.eddy.config.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.source.SyncLogSources;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code configuration.warehouseSyncLogs} of a sync, checked against the model's source type. */
class WarehouseSyncLogsValidationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aSourceTypeThatCannotTakeTheLogsIsA422OnWarehouseSyncLogs() throws Exception {
        Map<String, String> problems = problems("{\"warehouseSyncLogs\": {\"changelog\": true, \"runs\": false}}", "snowflake");
        assertEquals(Map.of("configuration.warehouseSyncLogs",
                "warehouse sync logs cannot be written to sources of type 'snowflake'; they can be to duckdb, mysql, postgres sources"), problems);
        assertEquals(Map.of(), problems("{\"warehouseSyncLogs\": {\"changelog\": false, \"snapshot\": false}}", "snowflake"),
                "switched off, the logs need nothing of the source");
    }

    @Test
    void everySourceTypeOfTheApiThatTakesTheLogsIsAccepted() throws Exception {
        for (String type : SyncLogSources.TYPES) {
            assertTrue(Catalog.SOURCE_TYPES.contains(type), type + " is a source type");
            assertEquals(Map.of(), problems("{\"warehouseSyncLogs\": {\"changelog\": true, \"snapshot\": true, \"runs\": true}}", type));
        }
    }

    @Test
    void theOptInIsThreeFlags() throws Exception {
        assertEquals(Map.of("configuration.warehouseSyncLogs.changelog", "must be true or false",
                        "configuration.warehouseSyncLogs.changeLog", "is not a sync log table; they are changelog, snapshot, runs"),
                problems("{\"warehouseSyncLogs\": {\"changelog\": \"yes\", \"changeLog\": true}}", "mysql"));
        assertEquals(Map.of("configuration.warehouseSyncLogs",
                        "must be an object: {\"changelog\": true|false, \"snapshot\": true|false, \"runs\": true|false}"),
                problems("{\"warehouseSyncLogs\": true}", "postgres"));
        assertEquals(Map.of(), problems("{\"warehouseSyncLogs\": null}", "postgres"));
    }

    private static Map<String, String> problems(String configuration, String sourceType) throws Exception {
        FieldProblems p = new FieldProblems();
        Catalog.validateWarehouseSyncLogs((ObjectNode) JSON.readTree(configuration), sourceType, p);
        try {
            p.throwIfAny();
            return Map.of();
        } catch (ValidationException e) {
            return e.details();
        }
    }
}
