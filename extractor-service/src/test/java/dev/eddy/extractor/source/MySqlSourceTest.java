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
import dev.eddy.testsupport.EddyInfrastructureResource;
import dev.eddy.testsupport.EmbeddedMariaDb;
import dev.eddy.testsupport.SharedInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MySQL sources read from a real MariaDB 11.4 server (MySQL protocol, through MySQL Connector/J), compared with
 * the real embedded PostgreSQL warehouse.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class MySqlSourceTest {

    private static final SecretBox SECRETS = new SecretBox(EddyInfrastructureResource.SECRET_KEY);

    @Inject
    ModelExtractor extractor;
    @Inject
    MySqlDialect dialect;
    @Inject
    WarehouseTestConfig warehouse;

    @Test
    void theSameRowHashesTheSameFromMySqlAndPostgres() throws Exception {
        String table = "mysql_hash_parity";
        try (Connection c = DriverManager.getConnection(warehouse.jdbcUrl(), "postgres", ""); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute("CREATE TABLE " + table + " (id bigint, small int, amount numeric(20,2), big numeric(20,0), ratio float8, "
                    + "tiny_ratio real, active boolean, flag boolean, seen_at timestamptz, local_at timestamp, day date, "
                    + "at_time time, blob bytea, note text, empty text, born smallint)");
            s.execute("INSERT INTO " + table + " VALUES (1, 7, 1.50, 18446744073709551615, 0.1, 0.1, true, false, "
                    + "'2026-03-01 10:00:00.123+01', '2026-03-01 10:00:00.123456', '2026-03-01', '12:34:56.789', '\\x010203', "
                    + "'héllo', '', 1984), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
        }
        mysql("DROP TABLE IF EXISTS " + table,
                "CREATE TABLE " + table + " (id BIGINT, small INT, amount DECIMAL(20,2), big BIGINT UNSIGNED, ratio DOUBLE, "
                        + "tiny_ratio FLOAT, active BOOLEAN, flag BIT(1), seen_at TIMESTAMP(3) NULL, local_at DATETIME(6), "
                        + "day DATE, at_time TIME(3), `blob` VARBINARY(8), note VARCHAR(20), empty VARCHAR(5), born YEAR)",
                // the session of these statements is in UTC too: 10:00 at +01 is 09:00 UTC
                "SET time_zone = '+00:00'",
                "INSERT INTO " + table + " VALUES (1, 7, 1.50, 18446744073709551615, 0.1, 0.1, TRUE, b'0', "
                        + "'2026-03-01 09:00:00.123', '2026-03-01 10:00:00.123456', '2026-03-01', '12:34:56.789', x'010203', "
                        + "'héllo', '', 1984), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");

        String sql = "SELECT * FROM " + table + " ORDER BY id";
        Map<String, String> fromPostgres = ExtractedRows.hashes(extract(postgresSpec(sql)));
        Map<String, String> fromMySql = ExtractedRows.hashes(extract(mySqlSpec(sql)));

        assertEquals(List.of("1", "2"), List.copyOf(fromMySql.keySet()));
        assertEquals(fromPostgres, fromMySql, "a value hashes the same whichever warehouse it comes from");
    }

    @Test
    void readersGiveTheCanonicalValuesOfMySqlTypesAndNulls() throws Exception {
        mysql("DROP TABLE IF EXISTS readers",
                "CREATE TABLE readers (k INT, t1 TINYINT(1), b1 BIT(1), b5 BIT(5), ub BIGINT UNSIGNED, ui INT UNSIGNED, "
                        + "d DECIMAL(10,3), f FLOAT, ts TIMESTAMP(6) NULL, dt DATETIME(6), tm TIME(3), dur TIME, y YEAR, "
                        + "e ENUM('small','large'), st SET('a','b'), zero DATE, s VARCHAR(5), bl BLOB, ti TINYINT UNSIGNED)",
                "SET time_zone = '+00:00'",
                "INSERT INTO readers VALUES (1, 1, b'1', b'00101', 18446744073709551615, 4294967295, 2.500, 0.1, "
                        + "'2026-03-01 08:00:00.123456', '2026-03-01 10:00:00.5', '23:59:59.125', '-838:59:59', 2026, 'large', "
                        + "'a,b', '0000-00-00', '', x'aa', 255)",
                "INSERT INTO readers (k, t1) VALUES (2, 7)",
                "INSERT INTO readers (k) VALUES (3)");

        TimeZone jvmZone = TimeZone.getDefault();
        List<Map<String, Object>> rows;
        try {
            // far from UTC: TIMESTAMP values must not depend on Eddy's host
            TimeZone.setDefault(TimeZone.getTimeZone("Asia/Tokyo"));
            rows = readDirectly("SELECT * FROM readers ORDER BY k");
        } finally {
            TimeZone.setDefault(jvmZone);
        }

        Map<String, Object> row = rows.get(0);
        assertEquals(true, row.get("t1"), "TINYINT(1) is MySQL's BOOLEAN");
        assertEquals(true, row.get("b1"));
        assertEquals("00101", row.get("b5"), "BIT(n) as PostgreSQL prints bit(n)");
        assertEquals(new BigDecimal("18446744073709551615"), row.get("ub"));
        assertEquals(4294967295L, row.get("ui"));
        assertEquals(new BigDecimal("2.500"), row.get("d"));
        assertEquals(new BigDecimal("0.1"), row.get("f"), "a 4-byte FLOAT keeps its printed value");
        assertEquals(Instant.parse("2026-03-01T08:00:00.123456Z"), row.get("ts"), "TIMESTAMP is an instant");
        assertEquals(LocalDateTime.parse("2026-03-01T10:00:00.5"), row.get("dt"), "DATETIME is a local date-time");
        assertEquals(LocalTime.parse("23:59:59.125"), row.get("tm"));
        assertEquals("-838:59:59", row.get("dur"), "a TIME that is no time of day keeps its text");
        assertEquals(2026L, row.get("y"));
        assertEquals("large", row.get("e"));
        assertEquals("a,b", row.get("st"));
        assertNull(row.get("zero"), "the zero date is no date");
        assertEquals("", row.get("s"), "an empty string is not NULL");
        assertArrayEquals(HexFormat.of().parseHex("aa"), (byte[]) row.get("bl"));
        assertEquals(255L, row.get("ti"));

        assertEquals(7L, rows.get(1).get("t1"), "a TINYINT(1) holding another number stays that number");

        Map<String, Object> nulls = rows.get(2);
        assertEquals(19, nulls.size());
        nulls.forEach((column, value) -> {
            if (!"k".equals(column)) {
                assertNull(value, column + " is NULL");
            }
        });
    }

    @Test
    void malformedSqlIsAQueryFailureWithTheServersMessage() throws Exception {
        mysql("DROP TABLE IF EXISTS people", "CREATE TABLE people (id INT)", "INSERT INTO people VALUES (1)");

        ExtractionFailedException malformed = assertThrows(ExtractionFailedException.class,
                () -> extract(mySqlSpec("SELECT id FROM people WHERE")));
        assertEquals(ErrorCode.QUERY_FAILED, malformed.code());
        assertTrue(malformed.getMessage().contains("error in your SQL syntax"), malformed.getMessage());

        ExtractionFailedException missing = assertThrows(ExtractionFailedException.class,
                () -> extract(mySqlSpec("SELECT id FROM nobody")));
        assertEquals(ErrorCode.QUERY_FAILED, missing.code());
        assertTrue(missing.getMessage().contains("warehouse.nobody") && missing.getMessage().contains("doesn't exist"),
                missing.getMessage());

        ExtractionFailedException notAQuery = assertThrows(ExtractionFailedException.class,
                () -> extract(mySqlSpec("DELETE FROM people")));
        assertEquals(ErrorCode.QUERY_FAILED, notAQuery.code());
        try (Connection c = mariaDb().connect("warehouse"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM people")) {
            rs.next();
            assertEquals(1, rs.getInt(1), "a model that is no query changes nothing");
        }
    }

    @Test
    void anUnreachableServerOrARefusedLoginIsAClearSourceError() {
        ExtractionFailedException unreachable = assertThrows(ExtractionFailedException.class,
                () -> extract(spec("mysql", mySqlSource(1, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD), "SELECT 1 AS id")));
        assertEquals(ErrorCode.SOURCE_UNREACHABLE, unreachable.code());
        assertTrue(unreachable.getMessage().startsWith("cannot reach the MySQL server at 127.0.0.1:1: "), unreachable.getMessage());
        assertTrue(unreachable.getMessage().contains("Connection refused"), unreachable.getMessage());

        ExtractionFailedException refused = assertThrows(ExtractionFailedException.class,
                () -> extract(spec("mysql", mySqlSource(mariaDb().port(), EmbeddedMariaDb.USER, "wrong"), "SELECT 1 AS id")));
        assertEquals(ErrorCode.SOURCE_UNREACHABLE, refused.code());
        assertTrue(refused.getMessage().contains("Access denied for user 'eddy'"), refused.getMessage());

        ObjectNode noUser = mySqlSource(mariaDb().port(), EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
        noUser.remove("user");
        ExtractionFailedException invalid = assertThrows(ExtractionFailedException.class,
                () -> extract(spec("mysql", noUser, "SELECT 1 AS id")));
        assertEquals(ErrorCode.SOURCE_CONFIGURATION_INVALID, invalid.code());
        assertTrue(invalid.getMessage().contains("no user"), invalid.getMessage());
    }

    @Test
    void rowsStreamThroughAServerSideCursorWithKeysAsText() throws Exception {
        mysql("DROP TABLE IF EXISTS numbers", "CREATE TABLE numbers (id INT PRIMARY KEY, label VARCHAR(10))",
                "INSERT INTO numbers SELECT seq, CONCAT('n', seq) FROM seq_0_to_2499");
        long fetchesBefore = cursorFetches();

        List<String> keys = new ArrayList<>();
        ExtractionSummary summary = extractor.extract(mySqlSpec("SELECT id, label FROM numbers ORDER BY id;"),
                (pk, hash, data) -> keys.add(pk));

        assertEquals(2500, summary.querySize());
        assertEquals(List.of("id", "label"), summary.columns());
        assertEquals("0", keys.get(0));
        assertEquals("2499", keys.get(2499));
        // the test profile's fetch size is 4: the driver asked the server's cursor for the rows 4 at a time
        assertTrue(cursorFetches() - fetchesBefore >= 2500 / 4, "rows came through a server-side cursor");
    }

    private static long cursorFetches() throws Exception {
        try (Connection c = mariaDb().connect("warehouse"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW GLOBAL STATUS LIKE 'Com_stmt_fetch'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    private static EmbeddedMariaDb mariaDb() {
        return SharedInfrastructure.mariaDb();
    }

    private static void mysql(String... statements) throws Exception {
        try (Connection c = mariaDb().connect("warehouse"); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private List<Map<String, Object>> readDirectly(String sql) throws Exception {
        Map<String, String> configuration = Map.of("host", mariaDb().host(), "port", Integer.toString(mariaDb().port()),
                "database", "warehouse", "user", EmbeddedMariaDb.USER, "password", EmbeddedMariaDb.PASSWORD);
        try (Connection c = dialect.connect(configuration, Duration.ofSeconds(5))) {
            return ExtractedRows.readWith(dialect, c, sql);
        }
    }

    private List<ExtractedRows.Extracted> extract(SyncSpec spec) throws ExtractionFailedException {
        return ExtractedRows.extract(extractor, spec);
    }

    private SyncSpec postgresSpec(String sql) {
        ObjectNode source = JsonNodeFactory.instance.objectNode()
                .put("host", warehouse.host()).put("port", warehouse.port()).put("database", warehouse.database())
                .put("user", "postgres").put("password", SECRETS.seal(""));
        return spec("postgres", source, sql);
    }

    private static SyncSpec mySqlSpec(String sql) {
        return spec("mysql", mySqlSource(mariaDb().port(), EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD), sql);
    }

    static ObjectNode mySqlSource(int port, String user, String password) {
        return JsonNodeFactory.instance.objectNode().put("host", "127.0.0.1").put("port", port).put("database", "warehouse")
                .put("user", user).put("password", SECRETS.seal(password));
    }

    private static SyncSpec spec(String type, ObjectNode source, String sql) {
        return new SyncSpec("s1", "s1", 1, new SyncSpec.Model("m1", "People", "people", "id", sql),
                new SyncSpec.Connection("src", "warehouse", type, source),
                new SyncSpec.Connection("d1", "hook", "webhook", JsonNodeFactory.instance.objectNode().put("url", "http://127.0.0.1:1/")),
                JsonNodeFactory.instance.objectNode().put("mode", "upsert"));
    }
}
