package dev.eddy.contracts.text;

import org.junit.jupiter.api.Test;

import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTextTest {

    @Test
    void cleanShortTextIsKeptAsItIs() {
        String text = "HTTP 400: {\"error\": \"bad email\"}\n\tline two 😀";
        assertSame(text, SafeText.forStorage(text, 100));
        assertNull(SafeText.forStorage(null, 100));
    }

    @Test
    void nulAndOtherControlCharactersAreDroppedButTabAndNewlineStay() {
        assertEquals("ab\tc\nd", SafeText.forStorage("a\u0000b\t\u0001c\n\u001fd\r", 100));
    }

    @Test
    void unpairedSurrogatesAreReplacedAndPairsKept() {
        assertEquals("x\uFFFDy\uFFFDz😀", SafeText.forStorage("x\uD800y\uDC00z😀", 100));
        assertEquals("end\uFFFD", SafeText.forStorage("end\uD83D", 100));
    }

    @Test
    void longTextIsCutToTheBoundWithAMarkerNamingTheOriginalLength() {
        String huge = "e".repeat(5 * 1024 * 1024);
        String stored = SafeText.forStorage(huge, 1000);
        assertEquals(1000, stored.length());
        assertTrue(stored.endsWith("… (truncated, 5242880 characters)"), stored.substring(900));
        assertTrue(stored.startsWith("eeee"));
    }

    @Test
    void everythingAtOnceGivesTextThatEncodesAsValidUtf8WithinTheBound() throws Exception {
        String text = ("\u0000bytes \uDC00 and 😀 ").repeat(400_000);
        String stored = SafeText.forStorage(text, 4000);
        assertTrue(stored.length() <= 4000, "length " + stored.length());
        assertTrue(stored.indexOf('\u0000') < 0);
        // a strict encoder refuses a lone surrogate: this one must not
        StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).encode(java.nio.CharBuffer.wrap(stored));
    }

    @Test
    void aPairAtTheCutIsNeverSplit() {
        for (int shift = 0; shift < 4; shift++) {
            String stored = SafeText.forStorage("a".repeat(shift) + "😀".repeat(1000), 100);
            assertTrue(stored.length() <= 100);
            String kept = stored.substring(0, stored.indexOf('…'));
            assertTrue(kept.isEmpty() || !Character.isHighSurrogate(kept.charAt(kept.length() - 1)), kept);
        }
    }

    @Test
    void aBoundTooSmallForTheMarkerIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SafeText.forStorage("x", 10));
    }
}
