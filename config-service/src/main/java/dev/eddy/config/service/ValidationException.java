package dev.eddy.config.service;

import java.util.Map;

/** A request body broke one or more rules; {@code details} maps each field path to its reason (answered 422). */
public class ValidationException extends RuntimeException {

    private final Map<String, String> details;

    public ValidationException(Map<String, String> details) {
        super("Validation failed");
        this.details = Map.copyOf(details);
    }

    public static ValidationException of(String field, String reason) {
        return new ValidationException(Map.of(field, reason));
    }

    public Map<String, String> details() {
        return details;
    }
}
