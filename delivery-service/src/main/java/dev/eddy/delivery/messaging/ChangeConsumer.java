package dev.eddy.delivery.messaging;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.ChangeBatch;
import dev.eddy.contracts.kafka.ConsumerLoop;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.delivery.service.ChangeDelivery;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;

/** Consumes the change sets on {@link Topics#CHANGES} (group {@value #GROUP}) and hands each batch to delivery. */
@ApplicationScoped
public class ChangeConsumer {

    public static final String GROUP = "eddy-delivery";
    private static final Logger LOG = Logger.getLogger(ChangeConsumer.class);

    private final ChangeDelivery delivery;
    private final EventPublisher publisher;
    private final String bootstrapServers;
    private final Optional<String> registryUrl;
    private volatile ConsumerLoop<ChangeBatch> loop;

    public ChangeConsumer(ChangeDelivery delivery, EventPublisher publisher,
                          @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                          @ConfigProperty(name = "apicurio.registry.url") Optional<String> registryUrl) {
        this.delivery = delivery;
        this.publisher = publisher;
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
    }

    void start(@Observes StartupEvent event) {
        loop = new ConsumerLoop<ChangeBatch>("delivery-changes",
                KafkaSettings.consumer(bootstrapServers, registryUrl, GROUP), List.of(Topics.CHANGES),
                new ConsumerLoop.Handler<>() {
                    @Override
                    public void handle(ConsumerRecord<String, ChangeBatch> record) {
                        if (record.value() != null) {
                            delivery.handle(record.value());
                        }
                    }

                    @Override
                    public void settle() {
                        // the batches' results went out without waiting: they must be on the topic before the commit
                        delivery.settle();
                    }
                }, publisher).start();
        LOG.infof("Consuming %s as group %s", Topics.CHANGES, GROUP);
    }

    void stop(@Observes ShutdownEvent event) {
        ConsumerLoop<ChangeBatch> current = loop;
        if (current != null) {
            current.close();
        }
    }

    /** True while the consumer runs and has joined its group. */
    public boolean isHealthy() {
        ConsumerLoop<ChangeBatch> current = loop;
        return current != null && current.isHealthy();
    }
}
