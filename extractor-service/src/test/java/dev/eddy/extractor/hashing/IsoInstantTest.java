package dev.eddy.extractor.hashing;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IsoInstantTest {

    @Test
    void formatsExactlyAsInstantToString() {
        SplittableRandom random = new SplittableRandom(42);
        long min = Instant.parse("-0500-01-01T00:00:00Z").getEpochSecond();
        long max = Instant.parse("+12000-01-01T00:00:00Z").getEpochSecond();
        for (int i = 0; i < 200_000; i++) {
            long seconds = random.nextLong(min, max);
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(seconds, nano);
            assertEquals(instant.toString(), IsoInstant.format(instant));
        }
        for (String edge : new String[]{"0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "1970-01-01T00:00:00Z",
                "1969-12-31T23:59:59.5Z", "2024-02-29T12:00:00.000001Z", "+10000-01-01T00:00:00Z"}) {
            Instant instant = Instant.parse(edge);
            assertEquals(instant.toString(), IsoInstant.format(instant));
        }
    }
}
