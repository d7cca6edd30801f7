package dev.eddy.delivery.health;

import dev.eddy.contracts.RunIds;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.BatchKind;
import dev.eddy.contracts.avro.ChangeBatch;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.delivery.TestDeliveryConfig;
import dev.eddy.delivery.messaging.ChangeConsumer;
import dev.eddy.delivery.service.ChangeDelivery;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * A consumer loop that hits an error it cannot recover from stops, reports not alive, and the service's liveness
 * ({@code /q/health/live}, which the launcher watches to restart the service) answers DOWN. Its own application
 * instance (a test profile), since the consumer stays dead.
 */
@QuarkusTest
@TestProfile(ConsumerLivenessTest.OwnApp.class)
@WithTestResource(EddyInfrastructureResource.class)
class ConsumerLivenessTest {

    /** A fresh application for this test only. */
    public static class OwnApp implements QuarkusTestProfile {
    }

    /** Delivery as broken as a JVM can be: an error of the virtual machine on the first batch. */
    static class BrokenDelivery extends ChangeDelivery {
        BrokenDelivery() {
            super(null, null, null, null, null, null, new TestDeliveryConfig("unused"), null);
        }

        @Override
        public void handle(ChangeBatch batch) {
            throw new InternalError("the JVM cannot go on (test)");
        }

        @Override
        public void settle() {
        }
    }

    @Inject
    ChangeConsumer consumer;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void aConsumerStoppedByAnUnrecoverableErrorTurnsLivenessDown() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));

        QuarkusMock.installMockForType(new BrokenDelivery(), ChangeDelivery.class);
        try (EventPublisher publisher = new EventPublisher(KafkaSettings.producer(bootstrapServers, Optional.empty(), "liveness-test"))) {
            String syncId = "liveness-" + RunIds.next();
            publisher.sendAndWait(Topics.CHANGES, syncId, ChangeBatch.newBuilder().setRunId(RunIds.next()).setSyncId(syncId)
                    .setSeq(0).setKind(BatchKind.END).setChanges(List.of()).setSpecJson("{}").build());
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> !consumer.isAlive());

        given().get("/q/health/live").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'kafka-consumer eddy-delivery' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'kafka-consumer eddy-delivery' }.data.stopped",
                        containsString("InternalError: the JVM cannot go on (test)"));
        given().get("/q/health/ready").then().statusCode(503);
    }
}
