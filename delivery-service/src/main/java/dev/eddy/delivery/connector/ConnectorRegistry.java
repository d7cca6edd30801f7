package dev.eddy.delivery.connector;

import dev.eddy.contracts.egress.EgressPolicy;
import dev.eddy.delivery.config.DeliveryConfig;
import dev.eddy.delivery.connector.http.HttpRequestConnector;
import dev.eddy.delivery.connector.kafka.KafkaTopicConnector;
import dev.eddy.delivery.connector.postgres.PostgresConnector;
import dev.eddy.delivery.connector.webhook.WebhookConnector;
import dev.eddy.delivery.spi.DestinationConnector;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** The destination types delivery can write to, each with a way to create a fresh connector instance. */
@ApplicationScoped
public class ConnectorRegistry {

    private final Map<String, Function<HttpTransport, DestinationConnector>> connectors;
    private final HttpTransport transport;

    @Inject
    public ConnectorRegistry(DeliveryConfig config, HttpClient http, Clock clock, EgressPolicy egress) {
        this(HttpTransport.of(http, egress), config.delivery().webhook().requestTimeout(), clock, egress);
    }

    /** With the default egress policy. @param timeout how long an HTTP connector waits for each answer */
    public ConnectorRegistry(HttpTransport transport, Duration timeout, Clock clock) {
        this(transport, timeout, clock, EgressPolicy.defaults());
    }

    /**
     * @param transport HTTP connectors' transport, which checks each request's address ({@link HttpTransport#of(HttpClient, EgressPolicy)})
     * @param egress    the policy the database and Kafka connectors check their addresses against when they open
     */
    public ConnectorRegistry(HttpTransport transport, Duration timeout, Clock clock, EgressPolicy egress) {
        this.transport = transport;
        this.connectors = Map.of(
                WebhookConnector.TYPE, t -> new WebhookConnector(t, timeout, clock),
                HttpRequestConnector.TYPE, t -> new HttpRequestConnector(t, timeout, clock),
                PostgresConnector.TYPE, t -> new PostgresConnector(egress),
                KafkaTopicConnector.TYPE, t -> new KafkaTopicConnector(egress));
    }

    /** A new connector for a destination type, or empty when no connector serves it. */
    public Optional<DestinationConnector> create(String type) {
        return create(type, transport);
    }

    /** A new connector whose HTTP calls go through {@code via} (test-a-row records them). */
    public Optional<DestinationConnector> create(String type, HttpTransport via) {
        return Optional.ofNullable(type).map(connectors::get).map(f -> f.apply(via));
    }

    /** The shared transport HTTP connectors use by default. */
    public HttpTransport transport() {
        return transport;
    }

    public Set<String> types() {
        return connectors.keySet();
    }
}
