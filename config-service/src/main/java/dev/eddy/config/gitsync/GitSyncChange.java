package dev.eddy.config.gitsync;

/**
 * A committed API change of a model or sync waiting in Git Sync's outbox, made from the catalog's
 * {@link dev.eddy.config.service.ConfigChanged} event.
 */
public record GitSyncChange(GitSyncKind kind, long id, String slug, Change change, String actor) {

    /** What happened to the object. */
    public enum Change { CREATED, UPDATED, DELETED }
}
