package dev.eddy.config.service;

import java.util.List;
import java.util.Map;

/** A delete refused because other objects depend on the object (answered 409 with the dependants' ids by kind). */
public class ConflictException extends RuntimeException {

    private final Map<String, List<String>> dependants;

    public ConflictException(String message, Map<String, List<String>> dependants) {
        super(message);
        this.dependants = Map.copyOf(dependants);
    }

    public Map<String, List<String>> dependants() {
        return dependants;
    }
}
