package dev.eddy.contracts.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.validation.KnownKeys.UnknownKey;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Unknown keys at every depth, and the key probably meant. */
class KnownKeysTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final KnownKeys SYNC_CONFIGURATION = KnownKeys.of("mode", "deleteBehavior", "batchSize")
            .with("retry", KnownKeys.of("maxAttempts", "deadlineSeconds"))
            .withEach("mappings", KnownKeys.of("from", "to", "type"))
            .and("headers")
            .tolerating("configVersion");

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void britishSpellingIsReportedWithTheAmericanKey() throws Exception {
        List<UnknownKey> unknown = SYNC_CONFIGURATION.unknown(json("{\"mode\": \"upsert\", \"deleteBehaviour\": \"delete\"}"),
                "configuration");
        assertEquals(1, unknown.size());
        assertEquals("configuration.deleteBehaviour", unknown.get(0).path());
        assertEquals("unknown setting; did you mean deleteBehavior?", unknown.get(0).message());
    }

    @Test
    void nestedObjectsAndArrayElementsAreCheckedWithTheirPaths() throws Exception {
        List<UnknownKey> unknown = SYNC_CONFIGURATION.unknown(json("""
                {"retry": {"maxAttempt": 3}, "mappings": [{"from": "a", "to": "b"}, {"frm": "c", "to": "d"}]}"""), "configuration");
        assertEquals(List.of("configuration.retry.maxAttempt", "configuration.mappings[1].frm"),
                unknown.stream().map(UnknownKey::path).toList());
        assertEquals(Optional.of("maxAttempts"), unknown.get(0).suggestion());
        assertEquals(Optional.of("from"), unknown.get(1).suggestion());
    }

    @Test
    void toleratedKeysAndFreeMapsAreNotChecked() throws Exception {
        assertTrue(SYNC_CONFIGURATION.unknown(json("""
                {"configVersion": 2, "headers": {"X-Anything": "1"}, "mode": "insert"}"""), "").isEmpty());
    }

    @Test
    void aKeyCloseToNothingListsTheKnownKeys() throws Exception {
        List<UnknownKey> unknown = KnownKeys.of("host", "port").unknown(json("{\"bogusSetting\": 1}"), "configuration");
        assertEquals("configuration.bogusSetting", unknown.get(0).path());
        assertEquals("unknown setting; known: host, port", unknown.get(0).message());
    }

    @Test
    void valuesOfTheWrongKindAreLeftToTheirOwnCheck() throws Exception {
        assertTrue(SYNC_CONFIGURATION.unknown(json("{\"retry\": 3, \"mappings\": {\"x\": 1}}"), "").isEmpty());
        assertTrue(SYNC_CONFIGURATION.unknown(json("[1, 2]"), "").isEmpty());
    }

    @Test
    void suggestionsCoverCaseVariantsAndSmallEdits() {
        List<String> keys = List.of("sslMode", "sslmode", "deleteBehavior", "colour", "schedulePaused", "to", "id");
        assertEquals(Optional.of("sslMode"), KnownKeys.suggestion("SSLMODE", List.of("sslMode", "host")));
        assertEquals(Optional.of("colour"), KnownKeys.suggestion("color", keys));
        assertEquals(Optional.of("deleteBehavior"), KnownKeys.suggestion("deleteBehaviour", keys));
        assertEquals(Optional.of("schedulePaused"), KnownKeys.suggestion("schedulePuased", keys));
        assertEquals(Optional.of("deleteBehavior"), KnownKeys.suggestion("delete_behavior", keys));
        assertEquals(Optional.empty(), KnownKeys.suggestion("bogusSetting", keys));
        // two edits turn any two-letter key into any other: no suggestion
        assertEquals(Optional.empty(), KnownKeys.suggestion("ab", List.of("id")));
        assertEquals(Optional.of("to"), KnownKeys.suggestion("tp", List.of("to")));
    }

    @Test
    void distanceCountsASwapAsOneEdit() {
        assertEquals(1, KnownKeys.distance("form", "from"));
        assertEquals(1, KnownKeys.distance("behaviour", "behavior"));
        assertEquals(3, KnownKeys.distance("abc", ""));
    }
}
