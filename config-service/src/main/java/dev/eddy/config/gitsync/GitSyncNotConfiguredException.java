package dev.eddy.config.gitsync;

/** Git Sync is not set up ({@code PUT /api/v1/git-sync} first). */
public class GitSyncNotConfiguredException extends RuntimeException {
    public GitSyncNotConfiguredException() {
        super("Git Sync is not set up: PUT /api/v1/git-sync first");
    }
}
