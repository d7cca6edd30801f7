package dev.eddy.contracts.destination;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sync delivery settings the API and delivery read with the same rules. */
class DeliveryOptionsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A destination that carries out inserts only, to check the mode rule (every real one supports every mode). */
    private static final DestinationDescriptor INSERT_ONLY = new DestinationDescriptor() {
        @Override
        public String type() {
            return "append-log";
        }

        @Override
        public Set<SyncMode> supportedModes() {
            return EnumSet.of(SyncMode.INSERT);
        }

        @Override
        public Set<SyncType> supportedTypes() {
            return EnumSet.allOf(SyncType.class);
        }

        @Override
        public int maxBatchSize() {
            return 10;
        }

        @Override
        public RateLimit defaultRateLimit() {
            return new RateLimit(7, Duration.ofSeconds(1));
        }

        @Override
        public List<ConfigProblem> validate(Map<String, Object> configuration) {
            return List.of();
        }
    };

    private static DeliveryOptions.Parsed parse(String json) throws Exception {
        return DeliveryOptions.parse(JSON.readTree(json));
    }

    private static Map<String, String> problems(List<ConfigProblem> problems) {
        return problems.stream().collect(java.util.stream.Collectors.toMap(ConfigProblem::field, ConfigProblem::message,
                (a, b) -> a, java.util.TreeMap::new));
    }

    @Test
    void anEmptyConfigurationTakesTheDefaults() throws Exception {
        DeliveryOptions.Parsed parsed = parse("{}");

        assertEquals(List.of(), parsed.problems());
        DeliveryOptions options = parsed.options();
        assertEquals(DeliveryOptions.defaults(), options);
        assertEquals(1000, options.batchSizeFor(WebhookDescriptor.INSTANCE));
        assertEquals(5000, options.batchSizeFor(PostgresDescriptor.INSTANCE));
        assertEquals(new RateLimit(100, Duration.ofSeconds(1)), options.rateLimitFor(HttpRequestDescriptor.INSTANCE));
        assertTrue(options.rateLimitFor(WebhookDescriptor.INSTANCE).isUnlimited());
        assertEquals(4, options.concurrencyOrDefault());
        assertEquals(3, options.maxAttemptsFor(PostgresDescriptor.INSTANCE, 5), "the destination's default");
        assertEquals(5, options.maxAttemptsFor(WebhookDescriptor.INSTANCE, 5), "the service's default");
    }

    @Test
    void everySettingIsReadAndTheBatchSizeIsCappedByTheDestination() throws Exception {
        DeliveryOptions options = parse("""
                {"type": "event", "mode": "insert", "deleteBehavior": "delete", "batchSize": 20000, "concurrency": 9,
                 "rateLimit": {"requests": 5, "perSeconds": 2.5},
                 "retry": {"maxAttempts": 8, "deadlineSeconds": 30, "initialBackoffMs": 100, "maxBackoffMs": 900},
                 "externalIdMapping": {"from": "email", "to": "Email", "type": "standard"}}""").options();

        assertEquals(SyncType.EVENT, options.type());
        assertEquals(SyncMode.INSERT, options.mode());
        assertTrue(options.deletes());
        assertEquals(1000, options.batchSizeFor(WebhookDescriptor.INSTANCE));
        assertEquals(10, options.batchSizeFor(INSERT_ONLY));
        assertEquals(20000, options.batchSize().getAsInt());
        assertEquals(new RateLimit(5, Duration.ofMillis(2500)), options.rateLimitFor(HttpRequestDescriptor.INSTANCE));
        assertEquals(9, options.concurrencyOrDefault());
        assertEquals(8, options.maxAttemptsFor(PostgresDescriptor.INSTANCE, 5));
        assertEquals(new DeliveryOptions.Retry(OptionalInt.of(8), Optional.of(Duration.ofSeconds(30)),
                Optional.of(Duration.ofMillis(100)), Optional.of(Duration.ofMillis(900))), options.retry());
        assertEquals(Optional.of(new DeliveryOptions.ExternalIdMapping("email", "Email", "standard")), options.externalId());
        assertEquals(50, parse("{\"batchSize\": 50}").options().batchSizeFor(WebhookDescriptor.INSTANCE));
    }

    @Test
    void everyWrongSettingIsNamedAtOnce() throws Exception {
        DeliveryOptions.Parsed parsed = parse("""
                {"type": "bogus", "mode": "sometimes", "deleteBehavior": 3, "batchSize": 0, "concurrency": 1.5,
                 "rateLimit": {"perSeconds": -1}, "retry": {"maxAttempts": "5", "initialBackoffMs": 500, "maxBackoffMs": 10},
                 "externalIdMapping": {"from": "email"}}""");

        assertEquals(Map.of(
                "type", "must be object or event",
                "mode", "must be insert, update or upsert",
                "deleteBehavior", "must be do_nothing, clear_fields or delete",
                "batchSize", "must be a positive whole number",
                "concurrency", "must be a positive whole number",
                "rateLimit.requests", "is required (a positive whole number)",
                "rateLimit.perSeconds", "must be a positive number of seconds",
                "retry.maxAttempts", "must be a positive whole number",
                "retry.maxBackoffMs", "must be at least retry.initialBackoffMs",
                "externalIdMapping.to", "is required"), problems(parsed.problems()));
        DeliveryOptions.Retry retry = new DeliveryOptions.Retry(OptionalInt.empty(), Optional.empty(),
                Optional.of(Duration.ofMillis(500)), Optional.empty());
        assertEquals(new DeliveryOptions(SyncType.OBJECT, SyncMode.UPSERT, "do_nothing", Optional.empty(), OptionalInt.empty(),
                Optional.empty(), OptionalInt.empty(), retry), parsed.options(), "wrong settings fall back to the defaults");
    }

    @Test
    void aSyncTypeOrModeTheDestinationDoesNotSupportIsNamed() throws Exception {
        DeliveryOptions event = parse("{\"type\": \"event\"}").options();
        assertEquals(Map.of("type", "destination type postgres does not support sync type event (supported: object)"),
                problems(event.problemsFor(PostgresDescriptor.INSTANCE, Map.of("table", "t"), "id")));

        DeliveryOptions update = parse("{\"mode\": \"update\"}").options();
        assertEquals(Map.of("mode", "destination type append-log does not support mode update (supported: insert)"),
                problems(update.problemsFor(INSERT_ONLY, Map.of(), "id")));
        assertEquals(List.of(), parse("{\"mode\": \"update\", \"type\": \"event\"}").options()
                .problemsFor(INSERT_ONLY, Map.of(), "id"), "an event sync has no mode to support");
        assertEquals(List.of(), update.problemsFor(WebhookDescriptor.INSTANCE, Map.of(), "id"));
    }

    @Test
    void aPostgresSyncNeedsAColumnToMatchRecordsAndOneHoldingThePrimaryKeyForRemovals() throws Exception {
        Map<String, Object> table = Map.of("table", "customers");
        assertEquals(List.of(), parse("{\"mode\": \"insert\"}").options().problemsFor(PostgresDescriptor.INSTANCE, table, "id"));
        assertTrue(problems(parse("{\"mode\": \"upsert\"}").options().problemsFor(PostgresDescriptor.INSTANCE, table, "id"))
                .get("externalIdMapping").contains("needs a record-matching column"));
        assertEquals(List.of(), parse("{\"mode\": \"upsert\"}").options()
                .problemsFor(PostgresDescriptor.INSTANCE, Map.of("table", "customers", "keyColumn", "id"), "id"));

        String byEmail = "{\"mode\": \"upsert\", \"deleteBehavior\": \"delete\", \"externalIdMapping\": {\"from\": \"email\", \"to\": \"email\"}}";
        String problem = problems(parse(byEmail).options().problemsFor(PostgresDescriptor.INSTANCE, table, "id"))
                .get("externalIdMapping.from");
        assertTrue(problem.contains("matches removed rows by the model's primary key (id)"), problem);
        assertEquals(List.of(), parse(byEmail).options().problemsFor(PostgresDescriptor.INSTANCE,
                Map.of("table", "customers", "keyColumn", "customer_id"), "id"), "keyColumn holds the primary key");
        assertEquals(Optional.of("customer_id"), PostgresDescriptor.removalColumn(Map.of("keyColumn", "customer_id"),
                parse(byEmail).options().externalId(), "id"));
        assertEquals(Optional.of("email"), PostgresDescriptor.matchingColumn(Map.of("keyColumn", "customer_id"),
                parse(byEmail).options().externalId()));
        String byId = "{\"deleteBehavior\": \"clear_fields\", \"externalIdMapping\": {\"from\": \"id\", \"to\": \"customer_id\"}}";
        assertEquals(Optional.of("customer_id"), PostgresDescriptor.removalColumn(table, parse(byId).options().externalId(), "id"));
        assertEquals(List.of(), parse(byId).options().problemsFor(PostgresDescriptor.INSTANCE, table, "id"));
    }
}
