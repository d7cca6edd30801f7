package dev.eddy.config.gitsync;

import java.time.Instant;
import java.util.List;

/**
 * What Git Sync last did: the last inbound (imported) and outbound (pushed) commits, files that changed nothing
 * and why, conflicts and how they were decided, deleted files and what was done, and the last failure to reach
 * the repository.
 */
public record GitSyncStatus(String lastInboundCommit, Instant lastInboundAt, String lastOutboundCommit,
                            Instant lastOutboundAt, List<FileProblem> fileErrors, List<Conflict> conflicts,
                            List<Deletion> deletions, String lastError, Instant lastErrorAt) {

    /** Conflicts and deletions kept in the status, newest last. */
    static final int HISTORY = 50;

    public static GitSyncStatus empty() {
        return new GitSyncStatus(null, null, null, null, List.of(), List.of(), List.of(), null, null);
    }

    /** The same object changed in the API and in Git since the last sync; {@code winner} is {@code git} or {@code api}. */
    public record Conflict(String kind, String slug, String file, String commit, Instant commitTime, Instant apiUpdatedAt,
                           String winner, Instant decidedAt) {
    }

    /** A file deleted in Git: {@code action} is {@code reported} (applyDeletes off), {@code deleted}, {@code kept_in_use} or {@code not_found}. */
    public record Deletion(String kind, String slug, String file, String commit, String action, String reason) {
    }
}
