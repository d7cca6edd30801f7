package dev.eddy.config.service;

/** A path named an object that does not exist (answered 404). */
public class UnknownObjectException extends RuntimeException {

    public UnknownObjectException(String kind, String id) {
        super("no " + kind + " with id " + id);
    }
}
