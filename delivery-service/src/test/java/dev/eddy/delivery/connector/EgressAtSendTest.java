package dev.eddy.delivery.connector;

import dev.eddy.contracts.destination.SyncMode;
import dev.eddy.contracts.egress.EgressPolicy;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.delivery.connector.http.HttpRequestConnector;
import dev.eddy.delivery.connector.kafka.KafkaTopicConnector;
import dev.eddy.delivery.connector.postgres.PostgresConnector;
import dev.eddy.delivery.connector.webhook.WebhookConnector;
import dev.eddy.delivery.spi.ConnectorContext;
import dev.eddy.delivery.spi.DeliveryRow;
import dev.eddy.delivery.spi.DeliveryRow.Operation;
import dev.eddy.delivery.spi.DestinationConfigurationException;
import dev.eddy.delivery.spi.WriteOutcome;
import dev.eddy.testsupport.RecordingHttpSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The egress policy at send time: the connectors check the address a host name resolves to right before they
 * connect, so a name the API could not judge (or one that changed its answer since) is refused there. The names
 * used resolve to loopback only, and the refusal comes before any connection, so nothing is sent anywhere.
 */
class EgressAtSendTest {

    private final RecordingHttpSink sink = new RecordingHttpSink();
    private final SecretBox secrets = new SecretBox("unit-test-key");
    /** As if the sink's port were one of Eddy's own: {@code localhost} resolves to a denied address and port. */
    private final EgressPolicy policy = EgressPolicy.of(List.of(), List.of(":" + sink.port()));
    private final HttpTransport transport = HttpTransport.of(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build(), policy);

    @AfterEach
    void closeSink() {
        sink.close();
    }

    private ConnectorContext context(Map<String, Object> configuration) {
        return new ConnectorContext("sync-1", "run-1", SyncMode.UPSERT, configuration, secrets::open);
    }

    private static List<DeliveryRow> rows() {
        return List.of(new DeliveryRow(Operation.ADDED, "1", Map.of("email", "ada@example.com")));
    }

    @Test
    void aWebhookWhoseNameResolvesToADeniedAddressIsRefusedAtSend() throws Exception {
        WebhookConnector connector = new WebhookConnector(transport, Duration.ofSeconds(2), Clock.systemUTC());
        connector.open(context(Map.of("url", "http://localhost:" + sink.port() + "/hook")));
        List<WriteOutcome> outcomes = connector.write(rows());
        assertEquals(WriteOutcome.Status.REJECTED, outcomes.get(0).status(), outcomes.toString());
        assertTrue(outcomes.get(0).reason().startsWith("not sent: localhost"), outcomes.get(0).reason());
        assertEquals(0, sink.requests().size(), "nothing reached the address");
    }

    @Test
    void theMetadataAddressIsRefusedBeforeAnyConnection() {
        HttpTransport.Call call = new HttpTransport.Call("GET", URI.create("http://169.254.169.254/latest/meta-data/iam"), Map.of(),
                null, Duration.ofSeconds(1));
        EgressRefusedException e = assertThrows(EgressRefusedException.class, () -> transport.send(call));
        assertTrue(e.getMessage().contains("link-local or cloud metadata address"), e.getMessage());
        assertTrue(transport.sendAsync(call).isCompletedExceptionally());
    }

    @Test
    void anHttpRequestWhoseRenderedUrlIsDeniedRejectsItsRowOnly() throws Exception {
        HttpRequestConnector connector = new HttpRequestConnector(transport, Duration.ofSeconds(2), Clock.systemUTC());
        connector.open(context(Map.of("added", Map.of("method", "POST", "url", "http://{{ row.host }}:" + sink.port() + "/x", "body", "{}"))));
        List<WriteOutcome> outcomes = connector.write(List.of(new DeliveryRow(Operation.ADDED, "1", Map.of("host", "localhost"))));
        assertEquals(WriteOutcome.Status.REJECTED, outcomes.get(0).status(), outcomes.toString());
        assertEquals(0, sink.requests().size());
    }

    @Test
    void aKafkaDestinationOnEddysOwnBrokerPortIsRefusedWhenItOpens() {
        KafkaTopicConnector connector = new KafkaTopicConnector(policy);
        DestinationConfigurationException e = assertThrows(DestinationConfigurationException.class,
                () -> connector.open(context(Map.of("bootstrapServers", "localhost:" + sink.port(), "topic", "t"))));
        assertEquals("bootstrapServers", e.problems().get(0).field(), e.getMessage());
    }

    @Test
    void aPostgresDestinationOnTheMetadataAddressIsRefusedWhenItOpens() {
        PostgresConnector connector = new PostgresConnector(policy);
        DestinationConfigurationException e = assertThrows(DestinationConfigurationException.class,
                () -> connector.open(context(Map.of("jdbcUrl", "jdbc:postgresql://169.254.169.254:5432/db", "table", "t"))));
        assertEquals("jdbcUrl", e.problems().get(0).field(), e.getMessage());
    }
}
