package dev.eddy.extractor.source;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.extractor.messaging.WarehouseTestConfig;
import dev.eddy.extractor.service.ErrorCode;
import dev.eddy.extractor.service.ExtractionFailedException;
import dev.eddy.extractor.service.ExtractionSummary;
import dev.eddy.extractor.service.ModelExtractor;
import dev.eddy.extractor.spi.JsonText;
import dev.eddy.extractor.spi.SourceUnreachableException;
import dev.eddy.testsupport.DuckDbLockHolder;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DuckDB sources read from real DuckDB files, compared with the real embedded PostgreSQL warehouse. */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class DuckDbSourceTest {

    @TempDir
    Path dir;
    @Inject
    ModelExtractor extractor;
    @Inject
    DuckDbDialect dialect;
    @Inject
    WarehouseTestConfig warehouse;

    @Test
    void theSameRowHashesTheSameFromDuckDbAndPostgres() throws Exception {
        String table = "hash_parity";
        try (Connection c = DriverManager.getConnection(warehouse.jdbcUrl(), "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute("CREATE TABLE " + table + " (id bigint, small int, amount numeric(20,2), big numeric(39,0), ratio float8, "
                    + "tiny_ratio real, active boolean, seen_at timestamptz, local_at timestamp, day date, at_time time, "
                    + "doc jsonb, tags int[], days date[], blob bytea, note text, uid uuid)");
            s.execute("INSERT INTO " + table + " VALUES (1, 7, 1.50, 170141183460469231731687303715884105727, 0.1, 0.1, true, "
                    + "'2026-03-01 10:00:00.123+01', '2026-03-01 10:00:00.123456', '2026-03-01', '12:34:56.789', "
                    + "'{\"b\": [1, 2.50], \"a\": \"x\"}', '{1,2,NULL}', '{2026-03-01}', '\\x010203', 'héllo', "
                    + "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                    + "NULL, NULL, NULL, NULL, NULL, NULL)");
        }
        Path file = duckDb("CREATE TABLE " + table + " (id BIGINT, small INTEGER, amount DECIMAL(20,2), big HUGEINT, ratio DOUBLE, "
                        + "tiny_ratio FLOAT, active BOOLEAN, seen_at TIMESTAMPTZ, local_at TIMESTAMP, day DATE, at_time TIME, "
                        + "doc JSON, tags INTEGER[], days DATE[], blob BLOB, note VARCHAR, uid UUID)",
                "INSERT INTO " + table + " VALUES (1, 7, 1.50, 170141183460469231731687303715884105727, 0.1, 0.1, true, "
                        + "TIMESTAMPTZ '2026-03-01 10:00:00.123+01', TIMESTAMP '2026-03-01 10:00:00.123456', DATE '2026-03-01', "
                        + "TIME '12:34:56.789', '{\"a\":\"x\",\"b\":[1,2.5]}', [1, 2, NULL], [DATE '2026-03-01'], '\\x01\\x02\\x03'::BLOB, "
                        + "'héllo', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                        + "NULL, NULL, NULL, NULL, NULL, NULL, NULL)");

        String sql = "SELECT * FROM " + table + " ORDER BY id";
        Map<String, String> fromPostgres = ExtractedRows.hashes(extract(postgresSpec(sql)));
        Map<String, String> fromDuckDb = ExtractedRows.hashes(extract(duckDbSpec(file.toString(), sql)));

        assertEquals(List.of("1", "2"), List.copyOf(fromDuckDb.keySet()));
        assertEquals(fromPostgres, fromDuckDb, "a value hashes the same whichever warehouse it comes from");
    }

    @Test
    void readersGiveTheCanonicalValuesOfDuckDbTypesAndNulls() throws Exception {
        Path file = duckDb("CREATE TABLE t (f FLOAT, h HUGEINT, u UBIGINT, d DECIMAL(10,3), j JSON, l INTEGER[], "
                        + "n INTEGER[][], tz TIMESTAMPTZ, ns TIMESTAMP_NS, b BIT, s STRUCT(a INTEGER), dl DATE[], t TIME, bl BLOB)",
                "INSERT INTO t VALUES (0.1, -170141183460469231731687303715884105727, 18446744073709551615, 2.500, "
                        + "'{\"k\": 1}', [1, NULL, 3], [[1, 2], [3]], TIMESTAMPTZ '2026-03-01 10:00:00+02', "
                        + "TIMESTAMP_NS '2026-03-01 10:00:00.123456789', '101'::BIT, {'a': 1}, [DATE '2026-03-01'], "
                        + "TIME '23:59:59', '\\xAA'::BLOB)",
                "INSERT INTO t VALUES (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");

        List<Map<String, Object>> rows = readDirectly(file, "SELECT * FROM t ORDER BY f NULLS LAST");

        Map<String, Object> row = rows.get(0);
        assertEquals(new BigDecimal("0.1"), row.get("f"), "a 4-byte FLOAT keeps its printed value");
        assertEquals(new BigDecimal("-170141183460469231731687303715884105727"), row.get("h"));
        assertEquals(new BigDecimal("18446744073709551615"), row.get("u"));
        assertEquals(new BigDecimal("2.500"), row.get("d"));
        assertEquals(new JsonText("{\"k\": 1}"), row.get("j"));
        assertEquals(Arrays.asList(1L, null, 3L), row.get("l"));
        assertEquals(List.of(List.of(1L, 2L), List.of(3L)), row.get("n"));
        assertEquals(Instant.parse("2026-03-01T08:00:00Z"), row.get("tz"));
        assertEquals(LocalDateTime.parse("2026-03-01T10:00:00.123456789"), row.get("ns"));
        assertEquals("101", row.get("b"));
        assertEquals("{'a': 1}", row.get("s"), "a struct is DuckDB's text (to_json(...) sends it as JSON)");
        assertEquals(List.of(LocalDate.parse("2026-03-01")), row.get("dl"));
        assertEquals(LocalTime.parse("23:59:59"), row.get("t"));
        assertArrayEquals(HexFormat.of().parseHex("aa"), (byte[]) row.get("bl"));

        Map<String, Object> nulls = rows.get(1);
        assertEquals(14, nulls.size());
        nulls.forEach((column, value) -> assertNull(value, column + " is NULL"));
    }

    @Test
    void malformedSqlIsAQueryFailureWithDuckDbsMessage() throws Exception {
        Path file = duckDb("CREATE TABLE people (id INTEGER)");

        ExtractionFailedException malformed = assertThrows(ExtractionFailedException.class,
                () -> extract(duckDbSpec(file.toString(), "SELEC id FROM people")));
        assertEquals(ErrorCode.QUERY_FAILED, malformed.code());
        assertTrue(malformed.getMessage().contains("syntax error"), malformed.getMessage());

        ExtractionFailedException missing = assertThrows(ExtractionFailedException.class,
                () -> extract(duckDbSpec(file.toString(), "SELECT id FROM nobody")));
        assertEquals(ErrorCode.QUERY_FAILED, missing.code());
        assertTrue(missing.getMessage().contains("nobody"), missing.getMessage());
    }

    @Test
    void aRelativeOrMissingPathIsAConfigurationErrorAndNoFileIsCreated() {
        Path absent = dir.resolve("absent.duckdb");
        ExtractionFailedException missing = assertThrows(ExtractionFailedException.class,
                () -> extract(duckDbSpec(absent.toString(), "SELECT 1 AS id")));
        assertEquals(ErrorCode.SOURCE_CONFIGURATION_INVALID, missing.code());
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
        assertFalse(Files.exists(absent), "Eddy never creates a source file");

        ExtractionFailedException relative = assertThrows(ExtractionFailedException.class,
                () -> extract(duckDbSpec("warehouse.duckdb", "SELECT 1 AS id")));
        assertEquals(ErrorCode.SOURCE_CONFIGURATION_INVALID, relative.code());
        assertTrue(relative.getMessage().contains("absolute"), relative.getMessage());
    }

    @Test
    void aFileWrittenByAnotherProcessIsUnreachableOnceTheTimeoutPasses() throws Exception {
        Path file = duckDb("CREATE TABLE people (id INTEGER)");
        try (DuckDbLockHolder other = DuckDbLockHolder.start(file.toString())) {
            assertEquals("locked", other.status);
            SourceUnreachableException e = assertThrows(SourceUnreachableException.class,
                    () -> dialect.connect(Map.of("path", file.toString()), Duration.ofMillis(300)));
            assertTrue(e.getMessage().contains("is locked"), e.getMessage());
            assertTrue(e.getMessage().contains("Conflicting lock"), "DuckDB's own reason is kept: " + e.getMessage());
        }
        try (Connection c = dialect.connect(Map.of("path", file.toString()), Duration.ofSeconds(5))) {
            assertFalse(c.isClosed(), "once the other process let go the file opens");
        }
    }

    @Test
    void theModelCannotReadOtherFilesOfEddysHost() throws Exception {
        Path file = duckDb("CREATE TABLE people (id INTEGER)");
        ExtractionFailedException e = assertThrows(ExtractionFailedException.class,
                () -> extract(duckDbSpec(file.toString(), "SELECT 1 AS id, content FROM read_text('/proc/self/environ')")));
        assertEquals(ErrorCode.QUERY_FAILED, e.code());
        assertTrue(e.getMessage().contains("disabled by configuration"), e.getMessage());
    }

    @Test
    void aModelThatIsNotOneSelectIsRefusedAndWritesNothing() throws Exception {
        Path file = duckDb("CREATE TABLE people AS SELECT range AS id FROM range(3)");
        for (String script : List.of("COMMIT; DELETE FROM people; SELECT 1 AS id", "DELETE FROM people", "PRAGMA table_info('people')")) {
            ExtractionFailedException e = assertThrows(ExtractionFailedException.class, () -> extract(duckDbSpec(file.toString(), script)));
            assertEquals(ErrorCode.QUERY_FAILED, e.code());
            assertTrue(e.getMessage().contains("one SELECT query"), e.getMessage());
        }
        assertEquals(3, extract(duckDbSpec(file.toString(), "FROM people")).size(), "the shared read-write instance was not written");
    }

    @Test
    void rowsStreamThroughTheExtractorWithKeysAsText() throws Exception {
        Path file = duckDb("CREATE TABLE numbers AS SELECT range AS id, 'n' || range AS label FROM range(2500)");
        List<String> keys = new ArrayList<>();
        ExtractionSummary summary = extractor.extract(duckDbSpec(file.toString(), "SELECT id, label FROM numbers ORDER BY id;"),
                (pk, hash, data) -> keys.add(pk));
        assertEquals(2500, summary.querySize());
        assertEquals(List.of("id", "label"), summary.columns());
        assertEquals("0", keys.get(0));
        assertEquals("2499", keys.get(2499));
    }

    private Path duckDb(String... statements) throws Exception {
        Path file = Files.createTempFile(dir, "warehouse", ".duckdb");
        Files.delete(file);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
        return file;
    }

    private List<Map<String, Object>> readDirectly(Path file, String sql) throws Exception {
        try (Connection c = dialect.connect(Map.of("path", file.toString()), Duration.ofSeconds(5))) {
            return ExtractedRows.readWith(dialect, c, sql);
        }
    }

    private List<ExtractedRows.Extracted> extract(SyncSpec spec) throws ExtractionFailedException {
        return ExtractedRows.extract(extractor, spec);
    }

    private SyncSpec postgresSpec(String sql) {
        ObjectNode source = JsonNodeFactory.instance.objectNode()
                .put("host", warehouse.host()).put("port", warehouse.port()).put("database", warehouse.database())
                .put("user", "postgres").put("password", new SecretBox(EddyInfrastructureResource.SECRET_KEY).seal(""));
        return spec("postgres", source, sql);
    }

    private static SyncSpec duckDbSpec(String path, String sql) {
        return spec("duckdb", JsonNodeFactory.instance.objectNode().put("path", path), sql);
    }

    private static SyncSpec spec(String type, ObjectNode source, String sql) {
        return new SyncSpec("s1", "s1", 1, new SyncSpec.Model("m1", "People", "people", "id", sql),
                new SyncSpec.Connection("src", "warehouse", type, source),
                new SyncSpec.Connection("d1", "hook", "webhook", JsonNodeFactory.instance.objectNode().put("url", "http://127.0.0.1:1/")),
                JsonNodeFactory.instance.objectNode().put("mode", "upsert"));
    }
}
