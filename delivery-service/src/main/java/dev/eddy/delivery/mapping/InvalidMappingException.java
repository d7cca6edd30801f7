package dev.eddy.delivery.mapping;

/** A sync's field mappings cannot be applied (a missing {@code to}, an unsupported mapping type). */
public final class InvalidMappingException extends Exception {

    public InvalidMappingException(String message) {
        super(message);
    }
}
