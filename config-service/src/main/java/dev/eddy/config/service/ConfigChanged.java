package dev.eddy.config.service;

/**
 * CDI event fired after a committed create, update or delete of a source, model, destination or sync;
 * {@code actor} is the name of the API key that made the change (observers such as Git Sync use it).
 */
public record ConfigChanged(String kind, String id, String slug, Change change, String actor) {

    /** What happened to the object. */
    public enum Change {
        CREATED, UPDATED, DELETED
    }
}
