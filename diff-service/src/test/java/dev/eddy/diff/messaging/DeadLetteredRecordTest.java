package dev.eddy.diff.messaging;

import dev.eddy.contracts.avro.RowBatch;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.kafka.ConsumerLoop;
import dev.eddy.diff.messaging.DiffTestClient.Extraction;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.eddy.diff.messaging.DiffTestClient.row;
import static dev.eddy.diff.messaging.DiffTestClient.spec;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A row batch diff-service fails on permanently is dead-lettered, and the run it belongs to ends {@code failed} naming
 * the stage and the reason: once, and nothing of the run is planned afterwards.
 */
@QuarkusTest
@WithTestResource(EddyInfrastructureResource.class)
class DeadLetteredRecordTest {

    private final DiffTestClient kafka = DiffTestClient.get();

    @Test
    void aRowBatchThatFailsPermanentlyEndsItsRunFailedAndTheRestOfTheRunChangesNothing() throws Exception {
        Extraction x = Extraction.of(spec(DiffTestClient.newSyncId(), "upsert", "delete", "standard"));
        RowBatch poison = RowBatch.newBuilder(kafka.rowBatch(x, 0, List.of(row(1, "free"), row(2, "pro"))))
                .setSpecJson("this is not a sync spec").build();
        kafka.publish(poison);

        RunEvent terminal = kafka.awaitTerminal(x.runId());
        assertEquals(RunStatus.failed, terminal.getStatus());
        assertEquals("diff-service", terminal.getProducer());
        assertEquals(ConsumerLoop.DEAD_LETTERED, terminal.getErrorCode());
        assertTrue(terminal.getError().startsWith("diff-service could not handle row batch 0 of run " + x.runId()
                + ": IllegalArgumentException: not a sync spec"), terminal.getError());
        assertTrue(terminal.getError().contains("is in eddy.dead-letter.v1"), terminal.getError());

        // the rest of the extraction arrives: the run has ended, nothing is planned from what is left of it
        kafka.publish(kafka.rowBatch(x, 1, List.of(row(3, "free"))));
        kafka.publish(kafka.endBatch(x, 2, 3, null, null));
        // nothing may follow: the change set stays empty and the terminal event alone, for 3 s
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(15))
                .until(() -> kafka.changeBatches(x.runId()).isEmpty() && kafka.terminals(x.runId()).size() == 1);
        assertEquals(List.of(), kafka.changeBatches(x.runId()), "no change set from an incomplete extraction");
        assertEquals(1, kafka.terminals(x.runId()).size(), "one terminal event");
    }
}
