package dev.eddy.config.service;

/** A request body that cannot be read at all, such as malformed JSON (answered 400). */
public class MalformedRequestException extends RuntimeException {

    public MalformedRequestException(String message) {
        super(message);
    }
}
