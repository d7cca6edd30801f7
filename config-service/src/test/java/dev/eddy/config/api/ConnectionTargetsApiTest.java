package dev.eddy.config.api;

import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.eddy.config.api.Fixtures.api;
import static dev.eddy.config.api.Fixtures.unique;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/**
 * Where sources, destinations and Git Sync may point: JDBC URLs only from validated parts, and never at link-local or
 * metadata addresses or Eddy's own ports (port 19999 stands for one in this service's test profile). Every refusal is
 * a 422 naming the field, answered before any connection is tried.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class ConnectionTargetsApiTest {

    @Test
    void aMySqlHostCarryingJdbcOptionsIsRefused() {
        source("mysql", Map.of("host", "evil:3306/x?allowLoadLocalInfile=true#", "database", "w", "user", "u")).then().statusCode(422)
                .body("details.'configuration.host'", startsWith("must be a host name or an IP address"));
        source("mysql", Map.of("host", "db.example", "database", "x?allowLoadLocalInfile=true", "user", "u;x")).then().statusCode(422)
                .body("details.'configuration.database'", containsString("no '?'"))
                .body("details.'configuration.user'", containsString("no '?'"));
    }

    @Test
    void aPostgresSourceIsBuiltFromValidatedPartsOnly() {
        source("postgres", Map.of("host", "h:1/x?socketFactory=org.example.Evil&", "database", "w", "user", "u")).then().statusCode(422)
                .body("details.'configuration.host'", startsWith("must be a host name or an IP address"));
        source("postgres", Map.of("host", "h", "port", "5432/x", "database", "w", "user", "u", "sslmode", "sometimes")).then().statusCode(422)
                .body("details.'configuration.port'", equalTo("must be a port number (1-65535)"))
                .body("details.'configuration.sslmode'", startsWith("must be one of allow, disable"));
    }

    @Test
    void aPrivateWarehouseIsAcceptedAndAMetadataAddressIsNot() {
        source("postgres", Map.of("host", "10.20.30.40", "database", "warehouse", "user", "eddy")).then().statusCode(200);
        source("mysql", Map.of("host", "169.254.169.254", "database", "warehouse", "user", "eddy")).then().statusCode(422)
                .body("details.'configuration.host'", containsString("link-local or cloud metadata address"));
        source("postgres", Map.of("host", "127.0.0.1", "port", 19999, "database", "warehouse", "user", "eddy")).then().statusCode(422)
                .body("details.'configuration.host'", containsString("Eddy's own ports"));
    }

    @Test
    void aWebhookToTheMetadataServiceIsRefused() {
        destination("webhook", Map.of("url", "http://169.254.169.254/latest/meta-data")).then().statusCode(422)
                .body("details.'configuration.url'", containsString("link-local or cloud metadata address"));
        destination("webhook", Map.of("url", "http://[fd00:ec2::254]/latest/meta-data")).then().statusCode(422)
                .body("details.'configuration.url'", containsString("metadata"));
        destination("http", Map.of("added", Map.of("method", "POST", "url", "http://169.254.169.254/{{ row.id }}", "body", "{}")))
                .then().statusCode(422)
                .body("details.'configuration.added.url'", containsString("link-local or cloud metadata address"));
        destination("webhook", Map.of("url", "http://10.0.0.8/hook")).then().statusCode(200);
    }

    @Test
    void aKafkaDestinationOnEddysOwnBrokerPortIsRefused() {
        destination("kafka", Map.of("bootstrapServers", "10.0.0.9:9092,127.0.0.1:19999", "topic", "t")).then().statusCode(422)
                .body("details.'configuration.bootstrapServers'", containsString("Eddy's own ports"));
    }

    @Test
    void aPostgresDestinationJdbcUrlMayNotLoadClassesOrCarryThePassword() {
        destination("postgres", Map.of("jdbcUrl", "jdbc:postgresql://h/db?socketFactory=org.example.Evil", "table", "t")).then().statusCode(422)
                .body("details.'configuration.jdbcUrl'", startsWith("has option 'socketFactory'"));
        destination("postgres", Map.of("jdbcUrl", "jdbc:postgresql://h/db?password=hunter2", "table", "t")).then().statusCode(422)
                .body("details.'configuration.jdbcUrl'", containsString("put it in the password field"));
        destination("postgres", Map.of("jdbcUrl", "jdbc:postgresql://169.254.169.254/db", "table", "t")).then().statusCode(422)
                .body("details.'configuration.jdbcUrl'", containsString("metadata"));
    }

    @Test
    void gitSyncToTheMetadataServiceIsRefused() {
        api().body(Map.of("repoUrl", "https://169.254.169.254/acme/config.git", "branch", "main")).put("/api/v1/git-sync")
                .then().statusCode(422)
                .body("details.repoUrl", containsString("link-local or cloud metadata address"));
    }

    @Test
    void aPreviewOfSeveralStatementsIsRefusedBeforeItCanLeaveItsReadOnlyTransaction() {
        String sourceId = Fixtures.warehouseSource();
        String modelId = api().body(Map.of("name", "Escape", "slug", unique("escape"), "sourceId", sourceId, "queryType", "raw_sql",
                        "raw", Map.of("sql", "SELECT 1 AS id) AS a; COMMIT; SET default_transaction_read_only = off; "
                                + "CREATE TABLE preview_escape (id int); SELECT (1"), "primaryKey", "id"))
                .post("/api/v1/models").then().statusCode(200).extract().path("id");
        api().post("/api/v1/models/" + modelId + "/preview").then().statusCode(422)
                .body("details.query", containsString("a model is one SQL statement"));
    }

    private static io.restassured.response.Response source(String type, Map<String, Object> configuration) {
        return api().body(Map.of("name", "Target", "slug", unique("target"), "type", type, "configuration", configuration))
                .post("/api/v1/sources");
    }

    private static io.restassured.response.Response destination(String type, Map<String, Object> configuration) {
        return api().body(Map.of("name", "Target", "slug", unique("target"), "type", type, "configuration", configuration))
                .post("/api/v1/destinations");
    }
}
