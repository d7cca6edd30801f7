package dev.eddy.contracts.kafka;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordLimitsTest {

    @Test
    void theDefaultBoundKeepsKafkasDefaultLimits() {
        int bound = RecordLimits.DEFAULT_MAX_RECORD_BYTES;
        assertEquals(921_600, bound);
        assertEquals(1_048_576, RecordLimits.maxRequestSize(bound), "the producer's default max.request.size");
        assertEquals(1_048_588, RecordLimits.topicMaxMessageBytes(bound), "the broker's default message.max.bytes");
        assertEquals(1_048_576, KafkaSettings.producer("localhost:1", Optional.empty(), "t")
                .get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
    }

    @Test
    void aRaisedBoundRaisesTheLimitsOneEighthAboveIt() {
        int bound = 8 * 1024 * 1024;
        assertEquals(9_437_184, RecordLimits.maxRequestSize(bound));
        assertEquals(9_437_184, RecordLimits.topicMaxMessageBytes(bound));
        assertEquals(9_437_184, KafkaSettings.producer("localhost:1", Optional.empty(), "t", bound)
                .get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
        assertTrue(RecordLimits.topicMaxMessageBytes(Integer.MAX_VALUE) > 0, "no overflow");
    }

    @Test
    void aBoundTooSmallForASpecIsRefusedNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RecordLimits.checked(1000));
        assertEquals("eddy.kafka.max-record-bytes is 1000; it must be at least 65536", e.getMessage());
        assertEquals(65_536, RecordLimits.checked(65_536));
    }
}
