package dev.eddy.config.gitsync;

/**
 * The Git Sync setup: repository, branch, folder ({@code path}, "" for the root), sealed credentials (a
 * {@code SecretBox}-sealed JSON object, or null), poll interval, and whether deleted files delete objects.
 */
public record GitSyncSettings(String repoUrl, String branch, String path, String sealedCredentials, int pollSeconds,
                              boolean applyDeletes) {

    /** The repository path of a file under the folder. */
    public String repoPath(String relative) {
        return path.isEmpty() ? relative : path + "/" + relative;
    }

    /** The path relative to the folder, or null when the file is outside it. */
    public String relative(String repoPath) {
        if (path.isEmpty()) {
            return repoPath;
        }
        return repoPath.startsWith(path + "/") ? repoPath.substring(path.length() + 1) : null;
    }
}
