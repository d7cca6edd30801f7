package dev.eddy.delivery.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.destination.RateLimit;
import dev.eddy.contracts.destination.SyncMode;
import dev.eddy.contracts.destination.SyncType;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.delivery.connector.ConnectorRegistry;
import dev.eddy.delivery.connector.HttpTransport;
import dev.eddy.delivery.retry.RetryPolicy;
import dev.eddy.delivery.spi.DeliveryRow;
import dev.eddy.delivery.spi.DeliveryRow.Operation;
import dev.eddy.delivery.spi.RequestThrottle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a sync's settings become a delivery plan: the connector's limits and defaults, the sync's overrides, its rows. */
class DeliveryPlannerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
    private static final RetryPolicy.Settings SERVICE_RETRY =
            new RetryPolicy.Settings(5, Duration.ofSeconds(60), Duration.ofMillis(250), Duration.ofSeconds(10));

    private final Throttles throttles = new Throttles(CLOCK);
    private final DeliveryPlanner planner = new DeliveryPlanner(
            new ConnectorRegistry(HttpTransport.of(HttpClient.newHttpClient()), Duration.ofSeconds(5), CLOCK),
            new BatchDelivery(new RetryPolicy(SERVICE_RETRY, CLOCK, d -> { }, () -> 0.5)), throttles);
    private final List<DeliveryPlan> plans = new ArrayList<>();

    @AfterEach
    void closeConnectors() {
        plans.forEach(p -> p.connector().close());
    }

    private static final Map<String, String> DESTINATIONS = Map.of(
            "webhook", "{\"url\": \"http://127.0.0.1:9/hook\"}",
            "http", "{\"added\": {\"method\": \"POST\", \"url\": \"http://127.0.0.1:9/users\"}}",
            "postgres", "{\"jdbcUrl\": \"jdbc:postgresql://127.0.0.1:9/db\", \"table\": \"customers\", \"keyColumn\": \"id\"}",
            "kafka", "{\"bootstrapServers\": \"127.0.0.1:9\", \"topic\": \"customers\"}");

    private DeliveryPlan plan(String type, String syncConfiguration) throws Exception {
        return plan(type, DESTINATIONS.get(type), syncConfiguration);
    }

    private DeliveryPlan plan(String type, String destination, String syncConfiguration) throws Exception {
        SyncSpec spec = new SyncSpec("sync-" + type, "s", 1, new SyncSpec.Model("m", "Customers", "customers", "id", "select 1"),
                null, new SyncSpec.Connection("d", "dest", type, (ObjectNode) JSON.readTree(destination)),
                (ObjectNode) JSON.readTree(syncConfiguration));
        DeliveryPlan plan = planner.plan(spec, spec.syncId(), "run-1", v -> v);
        plans.add(plan);
        return plan;
    }

    private String failure(String type, String syncConfiguration) {
        return assertThrows(DeliveryPlanner.PlanException.class, () -> plan(type, syncConfiguration)).getMessage();
    }

    @Test
    void batchSizeIsCappedByTheConnectorsLimitAndDefaultsToIt() throws Exception {
        assertEquals(1000, plan("webhook", "{\"batchSize\": 5000}").sliceSize());
        assertEquals(10, plan("webhook", "{\"batchSize\": 10}").sliceSize());
        assertEquals(1000, plan("webhook", "{}").sliceSize());
        assertEquals(1000, plan("http", "{}").sliceSize());
        assertEquals(5000, plan("postgres", "{}").sliceSize());
        assertEquals(5000, plan("kafka", "{\"batchSize\": 20000}").sliceSize());
    }

    @Test
    void rateLimitConcurrencyAndRetryTakeEachConnectorsDefaults() throws Exception {
        DeliveryPlan http = plan("http", "{}");
        assertEquals(new RateLimit(100, Duration.ofSeconds(1)), http.settings().throttle().limit());
        assertEquals(4, http.settings().concurrency());
        assertEquals(SERVICE_RETRY, http.retryPolicy().settings(), "no attempts of its own: the service's policy");

        assertSame(RequestThrottle.unlimited(), plan("webhook", "{}").settings().throttle());
        assertEquals(new RetryPolicy.Settings(3, Duration.ofSeconds(60), Duration.ofMillis(250), Duration.ofSeconds(10)),
                plan("postgres", "{}").retryPolicy().settings(), "postgres tries 3 times");
        assertEquals(3, plan("kafka", "{}").retryPolicy().settings().maxAttempts());
    }

    @Test
    void theSyncsOwnSettingsOverrideTheDefaults() throws Exception {
        DeliveryPlan plan = plan("http", """
                {"mode": "update", "rateLimit": {"requests": 5, "perSeconds": 2}, "concurrency": 9,
                 "retry": {"maxAttempts": 7, "deadlineSeconds": 30, "initialBackoffMs": 10, "maxBackoffMs": 100}}""");

        assertEquals(new RateLimit(5, Duration.ofSeconds(2)), plan.settings().throttle().limit());
        assertEquals(9, plan.settings().concurrency());
        assertEquals(new RetryPolicy.Settings(7, Duration.ofSeconds(30), Duration.ofMillis(10), Duration.ofMillis(100)),
                plan.retryPolicy().settings());
        assertEquals(SyncMode.UPDATE, plan.context().mode());
        assertEquals(new RetryPolicy.Settings(2, Duration.ofSeconds(60), Duration.ofMillis(250), Duration.ofSeconds(10)),
                plan("postgres", "{\"retry\": {\"maxAttempts\": 2}}").retryPolicy().settings());
    }

    @Test
    void wrongSettingsFailThePlanNamingEachField() {
        String message = failure("http", "{\"rateLimit\": {\"requests\": 0}, \"batchSize\": -1, \"concurrency\": \"many\"}");

        assertTrue(message.contains("rateLimit.requests: must be a positive whole number"), message);
        assertTrue(message.contains("batchSize: must be a positive whole number"), message);
        assertTrue(message.contains("concurrency: must be a positive whole number"), message);
    }

    @Test
    void aSyncTypeOrModeTheConnectorDoesNotSupportIsRejected() {
        assertEquals("destination type postgres does not support sync type event (supported: object)",
                failure("postgres", "{\"type\": \"event\"}"));
        assertEquals("sync configuration type: must be object or event", failure("webhook", "{\"type\": \"bogus\"}"));
        assertEquals("sync configuration mode: must be insert, update or upsert", failure("kafka", "{\"mode\": \"merge\"}"));
        String withoutKeyColumn = "{\"jdbcUrl\": \"jdbc:postgresql://127.0.0.1:9/db\", \"table\": \"customers\"}";
        String removalsByEmail = assertThrows(DeliveryPlanner.PlanException.class, () -> plan("postgres", withoutKeyColumn,
                "{\"deleteBehavior\": \"delete\", \"externalIdMapping\": {\"from\": \"email\", \"to\": \"email\"}}")).getMessage();
        assertTrue(removalsByEmail.startsWith("sync configuration externalIdMapping.from: "), removalsByEmail);
        assertTrue(assertThrows(DeliveryPlanner.PlanException.class, () -> plan("carrier-pigeon", "{}", "{}")).getMessage()
                .startsWith("unknown destination type carrier-pigeon"));
    }

    @Test
    void theExternalIdFieldIsAddedToRowsWhenNoMappingSetsIt() throws Exception {
        DeliveryPlan plan = plan("webhook", """
                {"mappings": [{"from": "email", "to": "Email", "type": "standard"}],
                 "externalIdMapping": {"from": "id", "to": "ExternalId", "type": "standard"}}""");

        DeliveryRow row = plan.row(Operation.ADDED, "7", "{\"id\": 7, \"email\": \"a@x.io\", \"plan\": \"pro\"}");

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("Email", "a@x.io");
        expected.put("ExternalId", 7);
        assertEquals(expected, row.fields());
        assertFalse(row.clears());

        DeliveryPlan mapped = plan("webhook", """
                {"mappings": [{"from": "email", "to": "Email", "type": "standard"}],
                 "externalIdMapping": {"from": "id", "to": "Email"}}""");
        assertEquals(Map.of("Email", "a@x.io"), mapped.row(Operation.CHANGED, "7", "{\"id\": 7, \"email\": \"a@x.io\"}").fields(),
                "a mapping that sets the field wins");
    }

    @Test
    void anEventSyncSendsAddedRowsOnly() throws Exception {
        DeliveryPlan plan = plan("webhook", "{\"type\": \"event\"}");

        assertEquals(SyncType.EVENT, plan.settings().type());
        assertEquals(Map.of("id", 1), plan.row(Operation.ADDED, "1", "{\"id\": 1}").fields());
        assertNull(plan.row(Operation.CHANGED, "1", "{\"id\": 1}"));
        assertNull(plan.row(Operation.REMOVED, "1", null));
    }

    @Test
    void underClearFieldsTheDiffsClearedRowsAreMarkedAsClearings() throws Exception {
        String configuration = """
                {"deleteBehavior": "clear_fields", "mappings": [{"from": "email", "to": "email"}, {"from": "plan", "to": "plan"}],
                 "externalIdMapping": {"from": "id", "to": "id"}}""";
        DeliveryPlan plan = plan("postgres", configuration);

        // the diff's shape: the key column as text and a null per mapped column
        DeliveryRow cleared = plan.row(Operation.CHANGED, "7", "{\"email\": null, \"plan\": null, \"id\": \"7\"}");
        assertTrue(cleared.clears());
        Map<String, Object> nulls = new LinkedHashMap<>();
        nulls.put("email", null);
        nulls.put("plan", null);
        nulls.put("id", "7");
        assertEquals(nulls, cleared.fields());
        assertFalse(plan.row(Operation.CHANGED, "7", "{\"email\": \"a@x.io\", \"plan\": null, \"id\": 7}").clears());
        DeliveryRow removed = plan.row(Operation.REMOVED, "8", null);
        assertEquals(List.of("email", "plan"), List.copyOf(removed.fields().keySet()));

        DeliveryPlan deleting = plan("postgres", configuration.replace("clear_fields", "delete"));
        assertFalse(deleting.row(Operation.CHANGED, "7", "{\"email\": null, \"plan\": null, \"id\": \"7\"}").clears());
    }

    @Test
    void throttlesAreKeptPerSyncAndReplacedWhenTheLimitChanges() {
        RateLimit fivePerSecond = new RateLimit(5, Duration.ofSeconds(1));
        RequestThrottle first = throttles.forSync("a", fivePerSecond);

        assertSame(first, throttles.forSync("a", new RateLimit(5, Duration.ofSeconds(1))), "shared by the sync's batches");
        assertNotSame(first, throttles.forSync("b", fivePerSecond), "each sync has its own");
        RequestThrottle changed = throttles.forSync("a", new RateLimit(10, Duration.ofSeconds(1)));
        assertNotSame(first, changed);
        assertEquals(new RateLimit(10, Duration.ofSeconds(1)), changed.limit());
        assertSame(RequestThrottle.unlimited(), throttles.forSync("a", RateLimit.unlimited()));
    }
}
