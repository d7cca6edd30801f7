package dev.eddy.config.gitsync;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Who wins when the same object changed in the API and in Git since Git Sync last synced it: the later change,
 * comparing the Git commit's committer time with the API's update time, both at whole seconds (Git's
 * precision); a tie goes to Git, the reviewed side. Pure and deterministic.
 */
public final class ConflictRule {

    /** The side whose version is kept. */
    public enum Winner { GIT, API }

    private ConflictRule() {
    }

    /**
     * Whether the object changed in the API since it was last synced: never synced (no mark), or updated after it.
     */
    public static boolean changedInApi(Instant apiUpdatedAt, Instant lastSyncedUpdatedAt) {
        return apiUpdatedAt != null && (lastSyncedUpdatedAt == null || apiUpdatedAt.isAfter(lastSyncedUpdatedAt));
    }

    /** The winner of a conflict between a commit at {@code commitTime} and an API update at {@code apiUpdatedAt}. */
    public static Winner winner(Instant commitTime, Instant apiUpdatedAt) {
        Instant git = commitTime.truncatedTo(ChronoUnit.SECONDS);
        Instant api = apiUpdatedAt.truncatedTo(ChronoUnit.SECONDS);
        return api.isAfter(git) ? Winner.API : Winner.GIT;
    }
}
