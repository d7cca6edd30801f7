package dev.eddy.config.api;

import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.testsupport.EddyInfrastructureResource;
import dev.eddy.testsupport.EmbeddedMariaDb;
import dev.eddy.testsupport.SharedInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.eddy.config.api.Fixtures.api;
import static dev.eddy.config.api.Fixtures.unique;
import static dev.eddy.config.api.Fixtures.webhook;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

/**
 * MySQL sources through the API against a real MariaDB 11.4 server (MySQL protocol, MySQL Connector/J): validation,
 * the connection test, model previews, dbt models, and the sync-log opt-in.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class MySqlSourceApiTest {

    @BeforeAll
    static void customers() throws Exception {
        try (Connection c = mariaDb().connect("warehouse"); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS api_customers");
            s.execute("CREATE TABLE api_customers (id INT PRIMARY KEY, email VARCHAR(100), score DECIMAL(5,2), signed_up DATE, "
                    + "active BOOLEAN)");
            s.execute("INSERT INTO api_customers VALUES (1, 'ada@example.com', 9.50, '2026-03-01', TRUE), "
                    + "(2, 'bob@example.com', NULL, NULL, FALSE), (3, NULL, 1, '2026-03-02', NULL)");
        }
    }

    @Test
    void aMySqlSourceNeedsHostDatabaseAndUserAndKeepsItsPasswordSealed() {
        source(Map.of("port", 70000, "sslMode", "sometimes")).then().statusCode(422)
                .body("details.'configuration.host'", equalTo("is required"))
                .body("details.'configuration.database'", equalTo("is required"))
                .body("details.'configuration.user'", equalTo("is required"))
                .body("details.'configuration.port'", equalTo("must be a port number (1-65535)"))
                .body("details.'configuration.sslMode'", equalTo("must be one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY"));
        api().body(Map.of("name", "Lake", "slug", unique("lake"), "type", "snowflake", "configuration", Map.of()))
                .post("/api/v1/sources").then().statusCode(422)
                .body("details.type", equalTo("unknown source type 'snowflake'; supported: duckdb, mysql, postgres"));

        source(configuration(EmbeddedMariaDb.PASSWORD)).then().statusCode(200)
                .body("type", equalTo("mysql"))
                .body("configuration.host", equalTo("127.0.0.1"))
                .body("configuration.password", equalTo(SecretBox.MASK));
    }

    @Test
    void theConnectionTestConnectsAndNamesWhatIsWrong() {
        String id = source(configuration(EmbeddedMariaDb.PASSWORD)).then().statusCode(200).extract().path("id");
        api().post("/api/v1/sources/" + id + "/test").then().statusCode(200)
                .body("success", equalTo(true)).body("message", containsString("mysql"));

        String wrongPassword = source(configuration("wrong")).then().statusCode(200).extract().path("id");
        api().post("/api/v1/sources/" + wrongPassword + "/test").then().statusCode(200)
                .body("success", equalTo(false)).body("message", containsString("Access denied for user 'eddy'"));

        Map<String, Object> nowhere = configuration(EmbeddedMariaDb.PASSWORD);
        nowhere.put("port", 1);
        String unreachable = source(nowhere).then().statusCode(200).extract().path("id");
        api().post("/api/v1/sources/" + unreachable + "/test").then().statusCode(200)
                .body("success", equalTo(false)).body("message", startsWith("cannot reach the MySQL server at 127.0.0.1:1: "));
    }

    @Test
    void previewAnswersColumnsAndRowsAndAFailingQueryIsA422OnQuery() {
        String sourceId = source(configuration(EmbeddedMariaDb.PASSWORD)).then().statusCode(200).extract().path("id");
        String modelId = model(sourceId, "SELECT id, email, score, signed_up, active FROM api_customers ORDER BY id;");
        api().post("/api/v1/models/" + modelId + "/preview").then().statusCode(200)
                .body("columns.name", equalTo(List.of("id", "email", "score", "signed_up", "active")))
                .body("columns.type", equalTo(List.of("INT", "VARCHAR", "DECIMAL", "DATE", "BIT")))
                .body("rows", hasSize(3))
                .body("rows[0].email", equalTo("ada@example.com"))
                .body("rows[0].score", equalTo(9.5f))
                .body("rows[0].signed_up", equalTo("2026-03-01"))
                .body("rows[0].active", equalTo(true))
                .body("rows[2].email", nullValue());
        api().post("/api/v1/models/" + modelId + "/preview?limit=1").then().statusCode(200).body("rows", hasSize(1));

        String malformed = model(sourceId, "SELECT id FROM api_customers WHERE");
        api().post("/api/v1/models/" + malformed + "/preview").then().statusCode(422)
                .body("details.query", containsString("error in your SQL syntax"));
        String missing = model(sourceId, "SELECT id FROM nobody");
        api().post("/api/v1/models/" + missing + "/preview").then().statusCode(422)
                .body("details.query", containsString("warehouse.nobody"));
    }

    @Test
    void aDbtModelWithoutCompiledSqlReadsItsTableWithMySqlQuoting() {
        String sourceId = source(configuration(EmbeddedMariaDb.PASSWORD)).then().statusCode(200).extract().path("id");
        String uniqueId = "model.shop." + unique("customers").replace('-', '_');
        // what `dbt parse` with the dbt-mysql adapter leaves: no compiled SQL, the schema is the database
        Map<String, Object> manifest = Map.of("metadata", Map.of("dbt_version", "1.8.0", "adapter_type", "mysql"), "nodes", Map.of(
                uniqueId, Map.of("resource_type", "model", "name", "customers", "alias", "api_customers", "schema", "warehouse",
                        "raw_code", "select * from {{ ref('stg_customers') }}")));
        api().body(manifest).post("/api/v1/dbt/manifest").then().statusCode(200).body("dbtModels", equalTo(1));
        String modelId = api().body(Map.of("name", "Dbt customers", "slug", unique("dbt"), "sourceId", sourceId, "queryType", "dbt_model",
                        "dbt", Map.of("dbtUniqueId", uniqueId), "primaryKey", "id"))
                .post("/api/v1/models").then().statusCode(200)
                .body("dbt.compiledSql", equalTo("SELECT * FROM `warehouse`.`api_customers`"))
                .extract().path("id");
        api().post("/api/v1/models/" + modelId + "/preview").then().statusCode(200).body("rows", hasSize(3));
    }

    @Test
    void syncsOnAMySqlModelCheckMappedColumnsAndTakeTheSyncLogOptIn() {
        String sourceId = source(configuration(EmbeddedMariaDb.PASSWORD)).then().statusCode(200).extract().path("id");
        String modelId = model(sourceId, "SELECT id, email FROM api_customers");
        api().body(sync(modelId, "phone", Map.of())).post("/api/v1/syncs").then().statusCode(422)
                .body("details.'configuration.mappings[0].from'", containsString("phone"));

        api().body(sync(modelId, "email", Map.of("changelog", "yes"))).post("/api/v1/syncs").then().statusCode(422)
                .body("details.'configuration.warehouseSyncLogs.changelog'", equalTo("must be true or false"));
        api().body(sync(modelId, "email", Map.of("changelog", true, "snapshot", true, "runs", true))).post("/api/v1/syncs").then()
                .statusCode(200).body("configuration.warehouseSyncLogs.snapshot", equalTo(true));
    }

    private static Map<String, Object> sync(String modelId, String mapped, Map<String, Object> syncLogs) {
        Map<String, Object> configuration = new HashMap<>(Map.of("mode", "upsert",
                "mappings", List.of(Map.of("from", mapped, "to", mapped, "type", "standard"))));
        if (!syncLogs.isEmpty()) {
            configuration.put("warehouseSyncLogs", syncLogs);
        }
        return Map.of("slug", unique("sync"), "modelId", modelId, "destinationId", webhook(), "configuration", configuration,
                "schedule", Map.of("type", "manual"));
    }

    private static EmbeddedMariaDb mariaDb() {
        return SharedInfrastructure.mariaDb();
    }

    private static Map<String, Object> configuration(String password) {
        Map<String, Object> configuration = new HashMap<>();
        configuration.put("host", mariaDb().host());
        configuration.put("port", mariaDb().port());
        configuration.put("database", "warehouse");
        configuration.put("user", EmbeddedMariaDb.USER);
        configuration.put("password", password);
        return configuration;
    }

    private static io.restassured.response.Response source(Map<String, Object> configuration) {
        return api().body(Map.of("name", "Shop database", "slug", unique("shop"), "type", "mysql", "configuration", configuration))
                .post("/api/v1/sources");
    }

    private static String model(String sourceId, String sql) {
        return api().body(Map.of("name", "Customers", "slug", unique("customers"), "sourceId", sourceId,
                        "raw", Map.of("sql", sql), "primaryKey", "id"))
                .post("/api/v1/models").then().statusCode(200).extract().path("id");
    }
}
