package dev.eddy.delivery.connector;

import dev.eddy.delivery.config.DeliveryConfig;
import dev.eddy.delivery.connector.webhook.WebhookConnector;
import dev.eddy.delivery.spi.DestinationConnector;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** The destination types delivery can write to, each with a way to create a fresh connector instance. */
@ApplicationScoped
public class ConnectorRegistry {

    private final Map<String, Supplier<DestinationConnector>> connectors;

    public ConnectorRegistry(DeliveryConfig config, HttpClient http, Clock clock) {
        this.connectors = Map.of(
                WebhookConnector.TYPE, () -> new WebhookConnector(http, config.delivery().webhook().requestTimeout(), clock));
    }

    /** A new connector for a destination type, or empty when no connector serves it. */
    public Optional<DestinationConnector> create(String type) {
        return Optional.ofNullable(type).map(connectors::get).map(Supplier::get);
    }

    public Set<String> types() {
        return connectors.keySet();
    }
}
