package dev.eddy.extractor.hashing;

import dev.eddy.extractor.spi.JsonText;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RowHasherTest {

    private static final List<String> COLUMNS = List.of("id", "v");

    /** Hash of a row {id: 1, v: value}, every column counted. */
    private static byte[] hashOf(Object value) {
        return new RowHasher(COLUMNS, "id", List.of()).hash(new Object[]{1L, value});
    }

    private static boolean sameHash(Object a, Object b) {
        return Arrays.equals(hashOf(a), hashOf(b));
    }

    @Test
    void hashIsSixteenBytesAndStable() {
        byte[] first = hashOf("x");
        assertEquals(RowHasher.HASH_BYTES, first.length);
        assertArrayEquals(first, hashOf("x"));
    }

    @Test
    void nullDiffersFromEmptyString() {
        assertFalse(sameHash(null, ""));
        assertFalse(sameHash(null, "null"));
    }

    @Test
    void numericScaleDoesNotMatter() {
        assertTrue(sameHash(new BigDecimal("1.50"), new BigDecimal("1.5")));
        assertTrue(sameHash(new BigDecimal("100"), new BigDecimal("1E+2")));
        assertTrue(sameHash(new BigDecimal("0.00"), 0L));
        assertTrue(sameHash(new BigDecimal("7.000"), 7L));
        assertTrue(sameHash(1.5d, new BigDecimal("1.5")));
        assertFalse(sameHash(new BigDecimal("1.5"), new BigDecimal("1.51")));
    }

    @Test
    void numbersDifferFromTheirText() {
        assertFalse(sameHash(1L, "1"));
        assertFalse(sameHash(Double.NaN, "NaN"));
    }

    @Test
    void timestampsWithZonesCompareAsInstants() {
        OffsetDateTime utc = OffsetDateTime.of(2026, 3, 1, 10, 0, 0, 0, ZoneOffset.UTC);
        OffsetDateTime paris = utc.withOffsetSameInstant(ZoneOffset.ofHours(1));
        assertTrue(sameHash(utc.toInstant(), paris.toInstant()));
        assertTrue(sameHash(paris, utc.toInstant()));
        assertFalse(sameHash(utc.toInstant(), utc.toInstant().plusNanos(1000)));
    }

    @Test
    void localTimestampsAndDatesAreNotInstantsOrText() {
        LocalDateTime local = LocalDateTime.of(2026, 3, 1, 10, 0);
        assertFalse(sameHash(local, local.toInstant(ZoneOffset.UTC)));
        assertFalse(sameHash(LocalDate.of(2026, 3, 1), "2026-03-01"));
        assertTrue(sameHash(local, LocalDateTime.of(2026, 3, 1, 10, 0, 0)));
    }

    @Test
    void booleansAreTheirOwnType() {
        assertFalse(sameHash(true, false));
        assertFalse(sameHash(true, "true"));
        assertFalse(sameHash(true, 1L));
    }

    @Test
    void jsonComparesByContent() {
        assertTrue(sameHash(new JsonText("{\"a\": 1, \"b\": [1, 2]}"), new JsonText("{\"b\":[1,2.0],\"a\":1.00}")));
        assertTrue(sameHash(new JsonText("{\"o\":{\"y\":1,\"x\":2}}"), new JsonText("{\"o\":{\"x\":2,\"y\":1}}")));
        assertFalse(sameHash(new JsonText("{\"a\":1}"), new JsonText("{\"a\":\"1\"}")));
        assertFalse(sameHash(new JsonText("[1,2]"), new JsonText("[2,1]")));
        assertFalse(sameHash(new JsonText("\"x\""), "x"));
        assertFalse(sameHash(new JsonText("null"), null));
    }

    @Test
    void arraysCompareElementWise() {
        assertTrue(sameHash(List.of(1L, new BigDecimal("2.0")), List.of(new BigDecimal("1"), 2L)));
        assertFalse(sameHash(List.of(1L, 2L), List.of(2L, 1L)));
        assertFalse(sameHash(List.of("a", "b"), List.of("ab")));
        assertFalse(sameHash(Arrays.asList("a", null), List.of("a", "")));
        assertFalse(sameHash(List.of(), null));
    }

    @Test
    void bytesCompareByContent() {
        assertTrue(sameHash(new byte[]{1, 2}, new byte[]{1, 2}));
        assertFalse(sameHash(new byte[]{1, 2}, new byte[]{2, 1}));
    }

    @Test
    void adjacentValuesCannotRunTogether() {
        RowHasher hasher = new RowHasher(List.of("id", "a", "b"), "id", List.of());
        assertFalse(Arrays.equals(hasher.hash(new Object[]{1L, "ab", "c"}), hasher.hash(new Object[]{1L, "a", "bc"})));
    }

    @Test
    void columnOrderOfTheSelectDoesNotMatter() {
        byte[] a = new RowHasher(List.of("id", "email", "plan"), "id", List.of()).hash(new Object[]{1L, "x@y", "pro"});
        byte[] b = new RowHasher(List.of("plan", "id", "email"), "id", List.of()).hash(new Object[]{"pro", 1L, "x@y"});
        assertArrayEquals(a, b);
    }

    @Test
    void onlyTheKeyAndMappedColumnsCountWhenTheSyncHasMappings() {
        RowHasher hasher = new RowHasher(List.of("id", "email", "plan"), "id", List.of("email"));
        assertArrayEquals(hasher.hash(new Object[]{1L, "x@y", "pro"}), hasher.hash(new Object[]{1L, "x@y", "free"}));
        assertFalse(Arrays.equals(hasher.hash(new Object[]{1L, "x@y", "pro"}), hasher.hash(new Object[]{1L, "z@y", "pro"})));
        assertFalse(Arrays.equals(hasher.hash(new Object[]{1L, "x@y", "pro"}), hasher.hash(new Object[]{2L, "x@y", "pro"})));
    }

    @Test
    void everyColumnCountsWithoutMappings() {
        RowHasher hasher = new RowHasher(List.of("id", "email", "plan"), "id", List.of());
        assertFalse(Arrays.equals(hasher.hash(new Object[]{1L, "x@y", "pro"}), hasher.hash(new Object[]{1L, "x@y", "free"})));
    }

    @Test
    void addingAMappedColumnChangesTheHash() {
        Object[] row = {1L, "x@y", "pro"};
        byte[] before = new RowHasher(List.of("id", "email", "plan"), "id", List.of("email")).hash(row);
        byte[] after = new RowHasher(List.of("id", "email", "plan"), "id", List.of("email", "plan")).hash(row);
        assertFalse(Arrays.equals(before, after));
    }

    @Test
    void aHashedColumnMissingFromTheResultIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RowHasher(List.of("id"), "id", List.of("email")));
    }
}
