package dev.eddy.delivery;

import dev.eddy.contracts.kafka.RecordLimits;
import dev.eddy.delivery.config.DeliveryConfig;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** delivery-service's configuration for tests that build its classes by hand, with application.properties' values. */
public final class TestDeliveryConfig implements DeliveryConfig {

    private final String secretKey;

    public TestDeliveryConfig(String secretKey) {
        this.secretKey = secretKey;
    }

    @Override
    public String secretKey() {
        return secretKey;
    }

    @Override
    public Kafka kafka() {
        return () -> RecordLimits.DEFAULT_MAX_RECORD_BYTES;
    }

    @Override
    public Egress egress() {
        return new Egress() {
            @Override
            public Optional<List<String>> allow() {
                return Optional.empty();
            }

            @Override
            public Optional<List<String>> deny() {
                return Optional.empty();
            }
        };
    }

    @Override
    public Delivery delivery() {
        return new Delivery() {
            @Override
            public Duration progressInterval() {
                return Duration.ofMillis(500);
            }

            @Override
            public int unacknowledgedEvents() {
                return 8;
            }

            @Override
            public Retry retry() {
                return new Retry() {
                    @Override
                    public int maxAttempts() {
                        return 3;
                    }

                    @Override
                    public Duration deadline() {
                        return Duration.ofSeconds(3);
                    }

                    @Override
                    public Duration initialBackoff() {
                        return Duration.ofMillis(5);
                    }

                    @Override
                    public Duration maxBackoff() {
                        return Duration.ofMillis(20);
                    }
                };
            }

            @Override
            public Webhook webhook() {
                return new Webhook() {
                    @Override
                    public Duration connectTimeout() {
                        return Duration.ofSeconds(1);
                    }

                    @Override
                    public Duration requestTimeout() {
                        return Duration.ofSeconds(3);
                    }
                };
            }
        };
    }
}
