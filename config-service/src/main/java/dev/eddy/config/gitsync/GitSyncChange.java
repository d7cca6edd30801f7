package dev.eddy.config.gitsync;

/**
 * A committed API change of a model or sync, observed by Git Sync to write it outbound. Fired by
 * {@link ApiChangeRecorder}; once the API fires its own {@code ConfigChanged} event, observe that instead.
 */
public record GitSyncChange(GitSyncKind kind, long id, String slug, Change change, String actor) {

    /** What happened to the object. */
    public enum Change { CREATED, UPDATED, DELETED }
}
