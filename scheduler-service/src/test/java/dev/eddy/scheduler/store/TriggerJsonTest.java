package dev.eddy.scheduler.store;

import dev.eddy.contracts.avro.TriggerEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TriggerJsonTest {

    @Test
    void storedTriggerReadsBackAsTheSameEvent() {
        TriggerEvent trigger = TriggerEvent.newBuilder()
                .setTriggerId("t1").setSource("api").setSyncId("s1").setRunId("42")
                .setFullResync(true).setSpecJson("{\"syncId\":\"s1\",\"note\":\"quote \\\" and ünïcode\"}")
                .setRequestedAt(Instant.ofEpochMilli(1_767_225_600_123L))
                .build();

        assertEquals(trigger, TriggerJson.read(TriggerJson.write(trigger)));
    }
}
