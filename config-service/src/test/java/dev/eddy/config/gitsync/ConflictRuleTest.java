package dev.eddy.config.gitsync;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConflictRuleTest {

    private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void laterApiUpdateWins() {
        assertEquals(ConflictRule.Winner.API, ConflictRule.winner(T, T.plusSeconds(1)));
    }

    @Test
    void laterCommitWins() {
        assertEquals(ConflictRule.Winner.GIT, ConflictRule.winner(T.plusSeconds(1), T));
    }

    @Test
    void aTieWithinTheSameSecondGoesToGit() {
        assertEquals(ConflictRule.Winner.GIT, ConflictRule.winner(T, T.plusMillis(900)));
    }

    @Test
    void changedInApiOnlyWhenUpdatedAfterTheLastSyncOrNeverSynced() {
        assertTrue(ConflictRule.changedInApi(T, null));
        assertTrue(ConflictRule.changedInApi(T.plusMillis(1), T));
        assertFalse(ConflictRule.changedInApi(T, T));
    }
}
