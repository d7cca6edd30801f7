package dev.eddy.delivery.connector.postgres;

import dev.eddy.contracts.destination.SyncMode;
import dev.eddy.contracts.destination.SyncType;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.delivery.spi.ConnectorContext;
import dev.eddy.delivery.spi.DeliveryRow;
import dev.eddy.delivery.spi.DeliveryRow.Operation;
import dev.eddy.delivery.spi.DeliverySettings;
import dev.eddy.delivery.spi.DestinationConfigurationException;
import dev.eddy.delivery.spi.RequestThrottle;
import dev.eddy.delivery.spi.WriteOutcome;
import dev.eddy.testsupport.SharedInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The postgres connector against the embedded PostgreSQL: one statement per write, each mode and delete behaviour. */
class PostgresConnectorTest {

    private final String url = SharedInfrastructure.postgres().jdbcUrl("warehouse");
    private final String schema = "dest_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private final SecretBox secrets = new SecretBox("unit-test-key");
    private PostgresConnector connector;

    @BeforeEach
    void createTable() throws Exception {
        sql("CREATE SCHEMA " + schema + "; CREATE TABLE " + schema + ".customers (id integer PRIMARY KEY, "
                + "email text NOT NULL CHECK (email LIKE '%@%'), plan text, ltv numeric(12,2), address jsonb)");
    }

    @AfterEach
    void close() throws Exception {
        if (connector != null) {
            connector.close();
        }
        sql("DROP SCHEMA " + schema + " CASCADE");
    }

    private void open(SyncMode mode, String deleteBehavior) throws Exception {
        connector = new PostgresConnector();
        DeliverySettings settings = new DeliverySettings(SyncType.OBJECT, deleteBehavior,
                Optional.of(new DeliverySettings.ExternalId("customer_id", "id", "integer")),
                List.of("id", "email", "plan"), "customers", 1, RequestThrottle.unlimited());
        connector.open(new ConnectorContext("s", "r", mode, Map.of("jdbcUrl", url, "user", "postgres",
                "password", secrets.seal(""), "schema", schema, "table", "customers"), secrets::open, settings));
    }

    private void open(SyncMode mode, String deleteBehavior, DeliverySettings.ExternalId externalId, String keyColumn)
            throws Exception {
        connector = new PostgresConnector();
        DeliverySettings settings = new DeliverySettings(SyncType.OBJECT, deleteBehavior, Optional.ofNullable(externalId),
                List.of("email", "plan"), "customers", 1, RequestThrottle.unlimited(), "id");
        Map<String, Object> config = new HashMap<>(Map.of("jdbcUrl", url, "user", "postgres", "schema", schema,
                "table", "customers"));
        if (keyColumn != null) {
            config.put("keyColumn", keyColumn);
        }
        connector.open(new ConnectorContext("s", "r", mode, config, secrets::open, settings));
    }

    /** A row that left the model under clear_fields, as delivery hands it over: its mapped fields null. */
    private static DeliveryRow cleared(int id) {
        Map<String, Object> fields = new HashMap<>();
        fields.put("id", String.valueOf(id));
        fields.put("email", null);
        fields.put("plan", null);
        return new DeliveryRow(Operation.CHANGED, String.valueOf(id), fields, true);
    }

    private static DeliveryRow row(Operation op, int id, String email, String plan) {
        Map<String, Object> fields = new HashMap<>();
        fields.put("id", id);
        fields.put("email", email);
        fields.put("plan", plan);
        return new DeliveryRow(op, String.valueOf(id), fields);
    }

    @Test
    void upsertInsertsAndUpdatesInOneStatementAndKeepsNestedObjectsAsJsonb() throws Exception {
        sql("INSERT INTO " + schema + ".customers (id, email, plan) VALUES (2, 'old@x.io', 'free')");
        open(SyncMode.UPSERT, "do_nothing");
        Map<String, Object> withAddress = new HashMap<>(row(Operation.ADDED, 1, "ada@x.io", "pro").fields());
        withAddress.put("address", Map.of("city", "London"));
        withAddress.put("ltv", new java.math.BigDecimal("12.30"));

        List<WriteOutcome> outcomes = connector.write(List.of(new DeliveryRow(Operation.ADDED, "1", withAddress),
                row(Operation.CHANGED, 2, "new@x.io", "pro")));

        assertEquals(List.of(WriteOutcome.accepted(), WriteOutcome.accepted()), outcomes);
        assertEquals(List.of("1|ada@x.io|pro|12.30|{\"city\": \"London\"}", "2|new@x.io|pro|null|null"), table());
    }

    @Test
    void insertSkipsExistingRecordsAndUpdateRejectsRowsMatchingNothing() throws Exception {
        sql("INSERT INTO " + schema + ".customers (id, email, plan) VALUES (1, 'keep@x.io', 'free')");
        open(SyncMode.INSERT, "do_nothing");
        assertEquals(List.of(WriteOutcome.accepted(), WriteOutcome.accepted()),
                connector.write(List.of(row(Operation.ADDED, 1, "other@x.io", "pro"), row(Operation.ADDED, 2, "b@x.io", "pro"))));
        assertEquals(List.of("1|keep@x.io|free|null|null", "2|b@x.io|pro|null|null"), table());
        connector.close();

        open(SyncMode.UPDATE, "do_nothing");
        List<WriteOutcome> outcomes = connector.write(List.of(row(Operation.CHANGED, 1, "upd@x.io", "team"),
                row(Operation.CHANGED, 9, "nobody@x.io", "team")));

        assertEquals(WriteOutcome.accepted(), outcomes.get(0));
        assertEquals(WriteOutcome.Status.REJECTED, outcomes.get(1).status());
        assertTrue(outcomes.get(1).reason().contains("no record"), outcomes.get(1).reason());
        assertEquals(List.of("1|upd@x.io|team|null|null", "2|b@x.io|pro|null|null"), table());
    }

    @Test
    void removedRowsAreDeletedUnderDeleteAndClearedUnderClearFields() throws Exception {
        sql("INSERT INTO " + schema + ".customers (id, email, plan) VALUES (1, 'a@x.io', 'pro'), (2, 'b@x.io', 'pro'), (3, 'c@x.io', 'pro')");
        open(SyncMode.UPSERT, "delete");
        assertEquals(List.of(WriteOutcome.accepted()), connector.write(List.of(new DeliveryRow(Operation.REMOVED, "1", Map.of()))));
        assertEquals(List.of("2|b@x.io|pro|null|null", "3|c@x.io|pro|null|null"), table());
        connector.close();

        // clear_fields nulls every mapped column but the key (email and plan); email must be nullable for that
        sql("ALTER TABLE " + schema + ".customers ALTER COLUMN email DROP NOT NULL");
        open(SyncMode.UPSERT, "clear_fields");
        assertEquals(List.of(WriteOutcome.accepted()), connector.write(List.of(new DeliveryRow(Operation.REMOVED, "2", Map.of()))));
        assertEquals(List.of("2|null|null|null|null", "3|c@x.io|pro|null|null"), table());
    }

    @Test
    void clearingUpdatesTheExistingRecordWhateverTheModeAndCreatesNoneForAMissingOne() throws Exception {
        sql("ALTER TABLE " + schema + ".customers ALTER COLUMN email DROP NOT NULL");
        for (SyncMode mode : List.of(SyncMode.INSERT, SyncMode.UPDATE, SyncMode.UPSERT)) {
            sql("DELETE FROM " + schema + ".customers; INSERT INTO " + schema + ".customers (id, email, plan, ltv) VALUES "
                    + "(1, 'a@x.io', 'pro', 9.50), (2, 'b@x.io', 'pro', 1.00)");
            open(mode, "clear_fields");

            List<WriteOutcome> outcomes = connector.write(List.of(cleared(1), cleared(7),
                    row(Operation.ADDED, 3, "c@x.io", "free")));

            assertEquals(List.of(WriteOutcome.accepted(), WriteOutcome.accepted()), outcomes.subList(0, 2), mode.name());
            // the added row alongside follows the mode (an update sync updates existing records only)
            assertEquals(mode == SyncMode.UPDATE ? WriteOutcome.Status.REJECTED : WriteOutcome.Status.ACCEPTED,
                    outcomes.get(2).status());
            List<String> expected = new ArrayList<>(List.of("1|null|null|9.50|null", "2|b@x.io|pro|1.00|null"));
            if (mode != SyncMode.UPDATE) {
                expected.add("3|c@x.io|free|null|null");
            }
            assertEquals(expected, table(), mode + ": the mapped columns of record 1 are cleared, the unmapped ltv is kept, "
                    + "and no record 7 is created");
            connector.close();
        }
    }

    @Test
    void removalsMatchTheExternalIdColumnWhenItHoldsThePrimaryKeyElseTheKeyColumn() throws Exception {
        sql("ALTER TABLE " + schema + ".customers ADD COLUMN customer_id text UNIQUE; UPDATE " + schema
                + ".customers SET customer_id = 'c' || id");
        sql("INSERT INTO " + schema + ".customers (id, email, plan, customer_id) VALUES "
                + "(10, 'a@x.io', 'pro', '1'), (20, 'b@x.io', 'pro', '2'), (30, 'c@x.io', 'pro', '3')");

        // externalIdMapping from the primary key: removed row 1 is the record whose customer_id is 1
        open(SyncMode.UPSERT, "delete", new DeliverySettings.ExternalId("id", "customer_id", null), null);
        assertEquals(List.of(WriteOutcome.accepted()), connector.write(List.of(new DeliveryRow(Operation.REMOVED, "1", Map.of()))));
        assertEquals(List.of("20|b@x.io|pro|null|null", "30|c@x.io|pro|null|null"), table());
        connector.close();

        // matched by email for writes, but a removed row has only its primary key: keyColumn names the column holding it
        open(SyncMode.UPSERT, "delete", new DeliverySettings.ExternalId("email", "email", null), "customer_id");
        assertEquals(List.of(WriteOutcome.accepted()), connector.write(List.of(new DeliveryRow(Operation.REMOVED, "2", Map.of()))));
        assertEquals(List.of("30|c@x.io|pro|null|null"), table());
        connector.close();

        // without keyColumn there is no way to find a removed record by email: refused up front, naming the field
        var refused = org.junit.jupiter.api.Assertions.assertThrows(DestinationConfigurationException.class,
                () -> open(SyncMode.UPSERT, "delete", new DeliverySettings.ExternalId("email", "email", null), null));
        assertEquals("externalIdMapping.from", refused.problems().get(0).field());
        assertTrue(refused.problems().get(0).message().contains("primary key (id)"), refused.getMessage());
    }

    @Test
    void theNextBatchReusesTheConnectionAndADeadOneIsReplaced() throws Exception {
        open(SyncMode.UPSERT, "do_nothing");
        connector.write(List.of(row(Operation.ADDED, 1, "a@x.io", "pro")));
        connector.close();
        List<Integer> idle = eddyBackends();
        assertTrue(!idle.isEmpty(), "the connection is kept for the next batch");

        for (int batch = 2; batch <= 6; batch++) {
            open(SyncMode.UPSERT, "do_nothing");
            connector.write(List.of(row(Operation.ADDED, batch, "b" + batch + "@x.io", "pro")));
            connector.close();
        }
        assertEquals(idle, eddyBackends(), "five more batches, not one more connection");

        // the database ends the kept sessions (a restart, an idle timeout): the next batch connects again
        sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'eddy-delivery'");
        open(SyncMode.UPSERT, "do_nothing");
        assertEquals(List.of(WriteOutcome.accepted()), connector.write(List.of(row(Operation.ADDED, 7, "c@x.io", "pro"))));
        assertEquals(7, table().size());
    }

    /** The backends delivery's connections hold, sorted. */
    private List<Integer> eddyBackends() throws Exception {
        List<Integer> pids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE application_name = 'eddy-delivery' ORDER BY pid")) {
            while (rs.next()) {
                pids.add(rs.getInt(1));
            }
        }
        return pids;
    }

    @Test
    void aConstraintViolationRejectsTheWriteSoTheRuntimeCanSplitIt() throws Exception {
        open(SyncMode.UPSERT, "do_nothing");

        List<WriteOutcome> outcomes = connector.write(List.of(row(Operation.ADDED, 1, "good@x.io", null),
                row(Operation.ADDED, 2, "not-an-email", null)));

        assertTrue(outcomes.stream().allMatch(o -> o.status() == WriteOutcome.Status.REJECTED && o.groupRejection()));
        assertTrue(outcomes.get(0).reason().contains("23514"), outcomes.get(0).reason());
        assertEquals(List.of(), table(), "one statement: nothing of the refused write landed");
    }

    private List<String> table() throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, email, plan, ltv, address FROM " + schema + ".customers ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4) + "|" + rs.getString(5));
            }
        }
        return rows;
    }

    private void sql(String statements) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            s.execute(statements);
        }
    }
}
