package dev.eddy.contracts.failure;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailureTextTest {

    @Test
    void nulAndOtherControlCharactersAndLoneSurrogatesBecomeReplacementCharacters() {
        assertEquals("a\uFFFDb\uFFFDc\td\ne", FailureText.safe("a\u0000b\u0007c\td\ne"));
        assertEquals("x\uFFFDy", FailureText.safe("x\uD800y"));
        assertEquals("emoji \uD83D\uDE00 stays", FailureText.safe("emoji \uD83D\uDE00 stays"));
        assertNull(FailureText.safe(null));
    }

    @Test
    void longTextIsCutOnACharacterBoundaryWithinTheByteLimit() {
        String text = "é".repeat(5_000_000 / 2);
        String safe = FailureText.safe(text, 4096);
        assertTrue(safe.getBytes(StandardCharsets.UTF_8).length <= 4096);
        assertTrue(safe.endsWith("… (cut)"));
        assertEquals("short", FailureText.safe("short", 4096));
        String exactlyFits = "a".repeat(4096);
        assertEquals(exactlyFits, FailureText.safe(exactlyFits, 4096));
    }

    @Test
    void describeNamesTheChainOnceAndSafely() {
        Exception e = new IllegalStateException("could not store the reason",
                new SQLException("invalid byte sequence for encoding \"UTF8\": 0x00\u0000", "22021"));
        String text = FailureText.describe(e);
        assertEquals("IllegalStateException: could not store the reason; caused by SQLException: invalid byte sequence "
                + "for encoding \"UTF8\": 0x00\uFFFD", text);
        RuntimeException wrapper = new RuntimeException(new IllegalArgumentException("bad"));
        assertEquals("RuntimeException: java.lang.IllegalArgumentException: bad", FailureText.describe(wrapper));
        assertFalse(FailureText.describe(new RuntimeException("x".repeat(100_000))).getBytes(StandardCharsets.UTF_8).length > 4096);
    }
}
