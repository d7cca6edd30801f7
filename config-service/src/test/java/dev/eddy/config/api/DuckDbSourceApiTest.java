package dev.eddy.config.api;

import dev.eddy.testsupport.DuckDbLockHolder;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.eddy.config.api.Fixtures.api;
import static dev.eddy.config.api.Fixtures.unique;
import static dev.eddy.config.api.Fixtures.webhook;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DuckDB sources through the API: validation of the file's path, the connection test and model previews on real files. */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class DuckDbSourceApiTest {

    @TempDir
    Path dir;

    @Test
    void aDuckDbSourceNeedsTheAbsolutePathOfAnExistingFile() throws Exception {
        Path absent = dir.resolve("typo.duckdb");
        source(Map.of("path", absent.toString())).then().statusCode(422)
                .body("details.'configuration.path'", containsString("no such file"));
        assertFalse(Files.exists(absent), "a missing file is an error, never a new empty warehouse");

        source(Map.of("path", "warehouse.duckdb")).then().statusCode(422)
                .body("details.'configuration.path'", containsString("absolute"));
        source(Map.of()).then().statusCode(422)
                .body("details.'configuration.path'", containsString("required"));
        source(Map.of("path", dir.toString())).then().statusCode(422)
                .body("details.'configuration.path'", containsString("not a regular file"));

        api().body(Map.of("name", "Lake", "slug", unique("lake"), "type", "snowflake", "configuration", Map.of()))
                .post("/api/v1/sources").then().statusCode(422)
                .body("details.type", equalTo("unknown source type 'snowflake'; supported: duckdb, mysql, postgres"));

        String id = source(Map.of("path", warehouse().toString())).then().statusCode(200)
                .body("type", equalTo("duckdb")).extract().path("id");
        api().body(Map.of("configuration", Map.of("path", absent.toString()))).patch("/api/v1/sources/" + id).then().statusCode(422)
                .body("details.'configuration.path'", containsString("no such file"));
    }

    @Test
    void theConnectionTestOpensTheFileAndNamesWhatIsWrong() throws Exception {
        Path file = warehouse();
        String id = source(Map.of("path", file.toString())).then().statusCode(200).extract().path("id");
        api().post("/api/v1/sources/" + id + "/test").then().statusCode(200)
                .body("success", equalTo(true)).body("message", containsString("duckdb"));

        Files.writeString(file, "not a database");
        api().post("/api/v1/sources/" + id + "/test").then().statusCode(200)
                .body("success", equalTo(false)).body("message", containsString("not a valid DuckDB database file"));

        Files.delete(file);
        api().post("/api/v1/sources/" + id + "/test").then().statusCode(200)
                .body("success", equalTo(false)).body("message", containsString("no such file"));
    }

    /** The extractor (another process) holds the file while it runs a sync on it: the test retries, then names the holder. */
    @Test
    void aFileHeldByAnotherProcessIsRetriedThenAnsweredNamingTheHolder() throws Exception {
        Path file = warehouse();
        String id = source(Map.of("path", file.toString())).then().statusCode(200).extract().path("id");
        try (DuckDbLockHolder other = DuckDbLockHolder.start(file.toString())) {
            assertEquals("locked", other.status);
            long started = System.nanoTime();
            api().post("/api/v1/sources/" + id + "/test").then().statusCode(200).body("success", equalTo(false))
                    .body("message", containsString("is locked by process "))
                    .body("message", containsString("stayed locked for 5 s"))
                    .body("message", containsString("Conflicting lock"));
            assertTrue(System.nanoTime() - started >= Duration.ofSeconds(5).toNanos(), "the lock was retried for 5 s first");
        }
        api().post("/api/v1/sources/" + id + "/test").then().statusCode(200).body("success", equalTo(true));
    }

    @Test
    void previewAnswersColumnsAndRowsAndAFailingQueryIsA422OnQuery() throws Exception {
        Path file = warehouse();
        String sourceId = source(Map.of("path", file.toString())).then().statusCode(200).extract().path("id");
        String modelId = model(sourceId, "SELECT id, email, score, signed_up FROM customers ORDER BY id;");
        api().post("/api/v1/models/" + modelId + "/preview").then().statusCode(200)
                .body("columns.name", equalTo(List.of("id", "email", "score", "signed_up")))
                .body("columns.type", equalTo(List.of("INTEGER", "VARCHAR", "DECIMAL(5,2)", "DATE")))
                .body("rows", hasSize(3))
                .body("rows[0].email", equalTo("ada@example.com"))
                .body("rows[0].signed_up", equalTo("2026-03-01"))
                .body("rows[2].email", nullValue());
        api().post("/api/v1/models/" + modelId + "/preview?limit=1").then().statusCode(200).body("rows", hasSize(1));

        String malformed = model(sourceId, "SELEC id FROM customers");
        api().post("/api/v1/models/" + malformed + "/preview").then().statusCode(422)
                .body("details.query", containsString("syntax error"));
        String hostFile = model(sourceId, "SELECT 1 AS id, content FROM read_text('/proc/self/environ')");
        api().post("/api/v1/models/" + hostFile + "/preview").then().statusCode(422)
                .body("details.query", containsString("disabled by configuration"));
    }

    @Test
    void aSyncMappingAColumnTheDuckDbModelLacksIsRejected() throws Exception {
        String sourceId = source(Map.of("path", warehouse().toString())).then().statusCode(200).extract().path("id");
        String modelId = model(sourceId, "SELECT id, email FROM customers");
        api().body(Map.of("slug", unique("sync"), "modelId", modelId, "destinationId", webhook(),
                        "configuration", Map.of("mode", "upsert", "mappings", List.of(Map.of("from", "phone", "to", "phone", "type", "standard"))),
                        "schedule", Map.of("type", "manual")))
                .post("/api/v1/syncs").then().statusCode(422)
                .body("details.'configuration.mappings[0].from'", containsString("phone"));
    }

    private static io.restassured.response.Response source(Map<String, Object> configuration) {
        return api().body(Map.of("name", "Local lake", "slug", unique("duck"), "type", "duckdb", "configuration", configuration))
                .post("/api/v1/sources");
    }

    private static String model(String sourceId, String sql) {
        return api().body(Map.of("name", "Customers", "slug", unique("customers"), "sourceId", sourceId,
                        "raw", Map.of("sql", sql), "primaryKey", "id"))
                .post("/api/v1/models").then().statusCode(200).extract().path("id");
    }

    private Path warehouse() throws Exception {
        Path file = Files.createTempFile(dir, "warehouse", ".duckdb");
        Files.delete(file);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE customers (id INTEGER, email VARCHAR, score DECIMAL(5,2), signed_up DATE)");
            s.execute("INSERT INTO customers VALUES (1, 'ada@example.com', 9.50, DATE '2026-03-01'), "
                    + "(2, 'bob@example.com', NULL, NULL), (3, NULL, 1, DATE '2026-03-02')");
        }
        return file;
    }
}
