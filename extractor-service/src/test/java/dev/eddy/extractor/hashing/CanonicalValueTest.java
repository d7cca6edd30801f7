package dev.eddy.extractor.hashing;

import dev.eddy.extractor.spi.JsonText;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CanonicalValueTest {

    @Test
    void keyTextOfNumbersIsByValue() {
        assertEquals("42", CanonicalValue.text(42L));
        assertEquals("1.5", CanonicalValue.text(new BigDecimal("1.500")));
        assertEquals("100", CanonicalValue.text(new BigDecimal("1E+2")));
        assertEquals("0", CanonicalValue.text(new BigDecimal("0.000")));
        assertEquals("12345678901234567890.123456789", CanonicalValue.text(new BigDecimal("12345678901234567890.123456789")));
    }

    @Test
    void keyTextOfOtherTypes() {
        assertEquals("abc", CanonicalValue.text("abc"));
        assertEquals("2026-03-01T10:00:00Z", CanonicalValue.text(Instant.parse("2026-03-01T10:00:00Z")));
        assertEquals("2026-03-01T10:00:00", CanonicalValue.text(LocalDateTime.of(2026, 3, 1, 10, 0)));
        assertEquals("{\"a\":1,\"b\":2}", CanonicalValue.text(new JsonText("{ \"b\": 2.0, \"a\": 1 }")));
        assertEquals("{1,2}", CanonicalValue.text(List.of(1L, 2L)));
        assertNull(CanonicalValue.text(null));
    }

    @Test
    void canonicalJsonSortsKeysAtEveryDepth() {
        assertEquals("{\"a\":[{\"x\":1,\"y\":null}],\"b\":\"s\",\"c\":true}",
                CanonicalValue.json("{\"c\": true, \"b\": \"s\", \"a\": [{\"y\": null, \"x\": 1.0}]}"));
    }
}
