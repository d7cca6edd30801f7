package dev.eddy.embedded;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.Counts;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.kafka.ConsumerLoop;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedInfrastructureTest {

    @Test
    void avroEventCrossesTheEmbeddedBrokerWithoutARegistryServer(@TempDir Path dir) {
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dir.resolve("kafka"), 0).start()) {
            broker.createTopics(Topics.ALL, 2, List.of(Topics.CONFIG));
            RunEvent sent = RunEvent.newBuilder()
                    .setRunId("42").setSyncId("7").setStatus(RunStatus.success).setTerminal(true)
                    .setProducer("test").setAt(Instant.ofEpochMilli(1_000))
                    .setPlannedRows(new Counts(3L, 2L, 1L)).build();
            try (EventPublisher publisher = new EventPublisher(KafkaSettings.producer(broker.bootstrapServers(), Optional.empty(), "t"))) {
                publisher.sendAndWait(Topics.RUN_EVENTS, "7", sent);
            }
            List<RunEvent> received = new CopyOnWriteArrayList<>();
            try (ConsumerLoop<RunEvent> loop = new ConsumerLoop<RunEvent>("test",
                    KafkaSettings.consumer(broker.bootstrapServers(), Optional.empty(), "g1"),
                    List.of(Topics.RUN_EVENTS), r -> received.add(r.value()), null).start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> !received.isEmpty());
            }
            assertEquals(sent, received.get(0));
        }
    }

    @Test
    void postgresKeepsItsDataAcrossRestartsAndSeedsTheDemoWarehouse(@TempDir Path dir) throws Exception {
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"), 0, false)) {
            DemoWarehouse.seed(pg);
        }
        try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("pg"), 0, false);
             Connection c = DriverManager.getConnection(pg.jdbcUrl(DemoWarehouse.DATABASE), "postgres", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM customers")) {
            assertTrue(rs.next());
            assertEquals(10, rs.getInt(1));
        }
    }
}
