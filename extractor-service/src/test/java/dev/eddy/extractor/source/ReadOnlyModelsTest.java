package dev.eddy.extractor.source;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.extractor.messaging.WarehouseTestConfig;
import dev.eddy.extractor.service.ErrorCode;
import dev.eddy.extractor.service.ExtractionFailedException;
import dev.eddy.extractor.service.ModelExtractor;
import dev.eddy.testsupport.EddyInfrastructureResource;
import dev.eddy.testsupport.EmbeddedMariaDb;
import dev.eddy.testsupport.SharedInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model reads: on PostgreSQL and MySQL it runs in a read-only session, so a model that writes fails with the
 * server's refusal and changes nothing; a model run as a role without superuser rights cannot run a program on the
 * database's host ({@code COPY ... TO PROGRAM}).
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class ReadOnlyModelsTest {

    private static final SecretBox SECRETS = new SecretBox(EddyInfrastructureResource.SECRET_KEY);
    /** A login role like the demo warehouse's own: no superuser, no membership in the roles that run programs. */
    private static final String READER = "eddy_model_reader";

    @Inject
    ModelExtractor extractor;
    @Inject
    WarehouseTestConfig warehouse;
    @Inject
    MySqlDialect mySql;

    @Test
    void aPostgresModelThatWritesFailsAsReadOnly() throws Exception {
        String table = "written_" + UUID.randomUUID().toString().substring(0, 8);
        ExtractionFailedException create = assertThrows(ExtractionFailedException.class,
                () -> extract("postgres", postgresSource("postgres"), "CREATE TABLE " + table + " AS SELECT 1 AS id"));
        assertEquals(ErrorCode.QUERY_FAILED, create.code());
        assertTrue(create.getMessage().contains("read-only transaction"), create.getMessage());

        // a model is one statement: a second one could end the read-only transaction and turn read-only off
        ExtractionFailedException escape = assertThrows(ExtractionFailedException.class, () -> extract("postgres",
                postgresSource("postgres"), "SELECT 1 AS id; COMMIT; SET default_transaction_read_only = off; CREATE TABLE "
                        + table + " AS SELECT 1 AS id"));
        assertEquals(ErrorCode.QUERY_FAILED, escape.code());
        assertTrue(escape.getMessage().contains("a model is one SQL statement"), escape.getMessage());
        assertFalse(postgresTableExists(table), "no table was created");

        // ';' inside a string or a comment is no second statement
        extract("postgres", postgresSource("postgres"), "SELECT 1 AS id, 'a;b' AS text -- c;d\n;");
    }

    @Test
    void aPostgresModelCannotRunAProgramOnTheDatabaseHost() throws Exception {
        postgres("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + READER + "') THEN CREATE ROLE " + READER
                + " LOGIN NOSUPERUSER; END IF; END $$");
        Path touched = Files.createTempDirectory("eddy-copy").resolve("program-ran");
        ExtractionFailedException copy = assertThrows(ExtractionFailedException.class,
                () -> extract("postgres", postgresSource(READER), "COPY (SELECT 1 AS id) TO PROGRAM 'touch " + touched + "'"));
        assertEquals(ErrorCode.QUERY_FAILED, copy.code());
        assertTrue(copy.getMessage().contains("permission denied"), copy.getMessage());
        assertFalse(Files.exists(touched), "the program did not run");
    }

    @Test
    void theSessionAMySqlModelRunsInRefusesWrites() throws Exception {
        // Connector/J refuses a statement without a result set (every write) in executeQuery, before the server sees
        // it; here a session opened and set up exactly as the extractor sets up a model's is tried with a write, and
        // the server is asked whether it holds the session read-only too
        String table = "written_" + UUID.randomUUID().toString().substring(0, 8);
        java.util.Map<String, String> configuration = java.util.Map.of("host", "127.0.0.1",
                "port", Integer.toString(SharedInfrastructure.mariaDb().port()), "database", "warehouse",
                "user", EmbeddedMariaDb.USER, "password", EmbeddedMariaDb.PASSWORD);
        try (Connection c = mySql.connect(configuration, java.time.Duration.ofSeconds(5))) {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try (Statement s = c.createStatement()) {
                java.sql.SQLException e = assertThrows(java.sql.SQLException.class,
                        () -> s.execute("CREATE TABLE " + table + " AS SELECT 1 AS id"));
                assertTrue(e.getMessage().contains("read-only"), e.getMessage());
                try (ResultSet rs = s.executeQuery("SELECT @@transaction_read_only")) {
                    rs.next();
                    assertEquals(1, rs.getInt(1), "the server runs the session read-only");
                }
            } finally {
                c.rollback();
            }
        }
        try (Connection c = SharedInfrastructure.mariaDb().connect("warehouse"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_name = '" + table + "'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "no table was created");
        }
    }

    private void extract(String type, ObjectNode source, String sql) throws ExtractionFailedException {
        extractor.extract(new SyncSpec("s1", "s1", 1, new SyncSpec.Model("m1", "Attack", "attack", "id", sql),
                new SyncSpec.Connection("src", "warehouse", type, source),
                new SyncSpec.Connection("d1", "hook", "webhook", JsonNodeFactory.instance.objectNode().put("url", "http://127.0.0.1:1/")),
                JsonNodeFactory.instance.objectNode().put("mode", "upsert")), (pk, hash, data) -> { });
    }

    private ObjectNode postgresSource(String user) {
        return JsonNodeFactory.instance.objectNode().put("host", warehouse.host()).put("port", warehouse.port())
                .put("database", warehouse.database()).put("user", user).put("password", SECRETS.seal(""));
    }

    private void postgres(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(warehouse.jdbcUrl(), "postgres", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private boolean postgresTableExists(String table) throws Exception {
        try (Connection c = DriverManager.getConnection(warehouse.jdbcUrl(), "postgres", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT to_regclass('public." + table + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
