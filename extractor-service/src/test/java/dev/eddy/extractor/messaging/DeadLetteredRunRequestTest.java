package dev.eddy.extractor.messaging;

import dev.eddy.contracts.RunIds;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.kafka.ConsumerLoop;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A dead-lettered run request ends its run: one terminal {@code failed} event naming the stage and the reason. */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class DeadLetteredRunRequestTest {

    @Inject
    RunRequestConsumer consumer;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void theRunOfADeadLetteredRunRequestEndsFailedNamingTheReason() throws Exception {
        try (TopicRecorder recorder = new TopicRecorder(bootstrapServers, List.of(Topics.RUN_EVENTS))) {
            RunRequest request = RunRequest.newBuilder().setRunId(RunIds.next()).setSyncId("7").setTrigger("schedule")
                    .setRequestedAt(Instant.now()).setSpecJson("{}").build();
            consumer.runFailed(new ConsumerRecord<>(Topics.RUN_REQUESTS, 2, 41L, "7", request),
                    new IllegalStateException("the broker refused a row batch",
                            new RecordTooLargeException("The message is 2097152 bytes when serialized")));

            await().atMost(Duration.ofSeconds(30)).until(() -> recorder.events(RunEvent.class).stream()
                    .anyMatch(e -> e.getRunId().equals(request.getRunId())));
            RunEvent event = recorder.events(RunEvent.class).stream()
                    .filter(e -> e.getRunId().equals(request.getRunId())).findFirst().orElseThrow();
            assertEquals(RunStatus.failed, event.getStatus());
            assertTrue(event.getTerminal());
            assertEquals("extractor-service", event.getProducer());
            assertEquals(ConsumerLoop.DEAD_LETTERED, event.getErrorCode());
            assertEquals("schedule", event.getTrigger());
            assertEquals("extractor-service could not handle the run request of run " + request.getRunId()
                    + ": IllegalStateException: the broker refused a row batch; caused by RecordTooLargeException: The "
                    + "message is 2097152 bytes when serialized; the record (eddy.run-requests.v1 partition 2 offset 41) "
                    + "is in eddy.dead-letter.v1 (./eddy dlq list)", event.getError());
        }
    }
}
