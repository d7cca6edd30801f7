package dev.eddy.scheduler.messaging;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.ConfigChange;
import dev.eddy.contracts.avro.TriggerEvent;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.embedded.EmbeddedKafkaBroker;
import dev.eddy.embedded.EmbeddedPostgresServer;
import dev.eddy.scheduler.config.SchedulerConfig;
import dev.eddy.scheduler.service.RunCoordinator;
import dev.eddy.scheduler.service.ScheduleTicker;
import dev.eddy.scheduler.service.SyncCatalog;
import dev.eddy.scheduler.store.ScheduleFireStore;
import dev.eddy.scheduler.store.SyncStateStore;
import dev.eddy.testsupport.SharedInfrastructure;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two scheduler instances (each its own config reader, ticker and publisher) on one broker and database,
 * sharing the ownership group: every sync's schedule has exactly one owner and every due slot fires once.
 */
class TwoSchedulerInstancesTest {

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    /** A clock both instances share: frozen mid-minute, moved forward only by the test (real time never crosses a slot). */
    static final class ShiftedClock extends Clock {
        final Instant start = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusSeconds(30);
        final AtomicLong offset = new AtomicLong();

        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        public Clock withZone(ZoneId zone) {
            return this;
        }

        public Instant instant() {
            return start.plusMillis(offset.get());
        }
    }

    @Test
    void eachDueSlotFiresExactlyOnceAcrossTwoInstances() throws Exception {
        EmbeddedKafkaBroker broker = SharedInfrastructure.broker();
        EmbeddedPostgresServer postgres = SharedInfrastructure.postgres();
        String database = "two_instances_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        postgres.createDatabase(database);
        String configTopic = "eddy.config.two-instances-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(configTopic, 4, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact")))).all().get();
        }
        String group = "two-instances-" + UUID.randomUUID();
        ShiftedClock clock = new ShiftedClock();
        ConfigTopicReader first = instance(broker, postgres.jdbcUrl(database), configTopic, group, clock);
        ConfigTopicReader second = instance(broker, postgres.jdbcUrl(database), configTopic, group, clock);

        List<TriggerEvent> fired = new CopyOnWriteArrayList<>();
        recordScheduleTriggers(broker, fired);

        EventPublisher config = track(new EventPublisher(KafkaSettings.producer(broker.bootstrapServers(), Optional.empty(), "two-test")));
        List<String> syncs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String id = "two-" + i + "-" + UUID.randomUUID();
            syncs.add(id);
            config.send(configTopic, "sync-spec:" + id, change("sync-spec", id, "{\"syncId\":\"" + id + "\",\"configVersion\":1,"
                    + "\"model\":{\"id\":\"m\",\"primaryKey\":\"id\",\"sql\":\"select 1 as id\"},"
                    + "\"destination\":{\"id\":\"d\",\"type\":\"webhook\",\"configuration\":{}},\"configuration\":{}}"));
            config.send(configTopic, "sync:" + id, change("sync", id, "{\"id\":\"" + id + "\",\"schedule\":{\"type\":\"interval\","
                    + "\"schedule\":{\"interval\":{\"quantity\":1,\"unit\":\"minute\"}}}}"));
        }
        config.flush();

        // both joined, partitions split between them, every sync owned by exactly one
        await().atMost(Duration.ofSeconds(60)).until(() -> first.healthy() && second.healthy()
                && syncs.stream().allMatch(s -> first.owns(s) ^ second.owns(s)));
        assertTrue(syncs.stream().anyMatch(first::owns) && syncs.stream().anyMatch(second::owns),
                "each instance owns some syncs");
        AgroalDataSource probe = track(dataSource(postgres.jdbcUrl(database)));
        await().atMost(Duration.ofSeconds(30)).until(() -> startedSchedules(probe) == syncs.size());

        clock.offset.addAndGet(60_000);
        await().atMost(Duration.ofSeconds(30)).until(() -> firedFor(fired, syncs).size() == syncs.size());
        clock.offset.addAndGet(60_000);
        await().atMost(Duration.ofSeconds(30)).until(() -> firedFor(fired, syncs).size() == 2 * syncs.size());
        // nothing more arrives: no slot fired twice
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> firedFor(fired, syncs).size() == 2 * syncs.size());
        Map<String, Long> perTrigger = firedFor(fired, syncs).stream()
                .collect(Collectors.groupingBy(TriggerEvent::getTriggerId, Collectors.counting()));
        assertEquals(2 * syncs.size(), perTrigger.size());
        assertTrue(perTrigger.values().stream().allMatch(n -> n == 1));
    }

    private ConfigTopicReader instance(EmbeddedKafkaBroker broker, String jdbcUrl, String configTopic, String group,
                                       Clock clock) {
        AgroalDataSource dataSource = track(dataSource(jdbcUrl));
        SyncStateStore states = new SyncStateStore(dataSource);
        states.createSchema();
        ScheduleFireStore fires = new ScheduleFireStore(dataSource);
        fires.createSchema();
        EventPublisher events = track(new EventPublisher(KafkaSettings.producer(broker.bootstrapServers(), Optional.empty(), "two")));
        RunPublisher publisher = new RunPublisher(events);
        SyncCatalog catalog = new SyncCatalog();
        RunCoordinator coordinator = new RunCoordinator(states, publisher, clock, catalog);
        ConfigTopicReader reader = track(new ConfigTopicReader(catalog, KafkaSettings.consumer(broker.bootstrapServers(),
                Optional.empty(), group), group, configTopic).start());
        ScheduleTicker ticker = new ScheduleTicker(catalog, fires, publisher, coordinator, clock, settings());
        ticker.start(reader::owns);
        resources.add(ticker::stop);
        return reader;
    }

    private void recordScheduleTriggers(EmbeddedKafkaBroker broker, List<TriggerEvent> into) {
        KafkaConsumer<String, TriggerEvent> consumer = new KafkaConsumer<>(KafkaSettings.consumer(broker.bootstrapServers(),
                Optional.empty(), "two-recorder-" + UUID.randomUUID()));
        consumer.subscribe(List.of(Topics.TRIGGERS));
        Thread thread = new Thread(() -> {
            try {
                while (true) {
                    consumer.poll(Duration.ofMillis(100)).forEach(r -> into.add(r.value()));
                }
            } catch (org.apache.kafka.common.errors.WakeupException e) {
                consumer.close();
            }
        });
        thread.setDaemon(true);
        thread.start();
        resources.add(consumer::wakeup);
    }

    private static List<TriggerEvent> firedFor(List<TriggerEvent> fired, List<String> syncs) {
        return fired.stream().filter(t -> "schedule".equals(t.getSource()) && syncs.contains(t.getSyncId())).toList();
    }

    private static int startedSchedules(AgroalDataSource dataSource) throws SQLException {
        try (var c = dataSource.getConnection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM scheduler.schedule_fires")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static ConfigChange change(String kind, String id, String json) {
        return ConfigChange.newBuilder().setKind(kind).setId(id).setVersion(1).setJson(json).setAt(Instant.now()).build();
    }

    private static AgroalDataSource dataSource(String jdbcUrl) {
        try {
            return AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier().connectionPoolConfiguration(pool -> pool
                    .maxSize(4).connectionFactoryConfiguration(factory -> factory.jdbcUrl(jdbcUrl)
                            .principal(new NamePrincipal("postgres")))));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SchedulerConfig settings() {
        return new SchedulerConfig() {
            public String secretKey() {
                return "unused";
            }

            public Kafka kafka() {
                throw new UnsupportedOperationException("not read by the ticker");
            }

            public Run run() {
                return () -> Duration.ofMinutes(10);
            }

            public Schedules schedules() {
                return new Schedules() {
                    public Duration tick() {
                        return Duration.ofMillis(200);
                    }

                    public String ownershipGroup() {
                        return "unused";
                    }

                    public Duration stalledRunTimeout() {
                        return Duration.ofHours(1);
                    }

                    public Duration stalledRunCheck() {
                        return Duration.ofHours(1);
                    }
                };
            }
        };
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }
}
