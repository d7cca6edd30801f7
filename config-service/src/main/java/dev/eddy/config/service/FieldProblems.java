package dev.eddy.config.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.validation.KnownKeys;

import java.util.LinkedHashMap;
import java.util.Map;

/** Collects every problem of a request body by field path, so a client learns them all at once. */
final class FieldProblems {

    private final Map<String, String> problems = new LinkedHashMap<>();

    void add(String path, String reason) {
        problems.putIfAbsent(path, reason);
    }

    boolean has(String path) {
        return problems.containsKey(path);
    }

    /** The non-blank text at {@code field} of {@code node}, or null after recording why not. */
    String requireText(JsonNode node, String field, String path) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.isNull()) {
            add(path, "is required");
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            add(path, "must be a non-empty string");
            return null;
        }
        return value.asText();
    }

    /** Optional text: null when absent, recorded as a problem when not a string. */
    String optionalText(JsonNode node, String field, String path) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            add(path, "must be a string");
            return null;
        }
        return value.asText();
    }

    /** The object at {@code field}, or null after recording why not (when required). */
    ObjectNode object(JsonNode node, String field, String path, boolean required) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                add(path, "is required");
            }
            return null;
        }
        if (!value.isObject()) {
            add(path, "must be an object");
            return null;
        }
        return (ObjectNode) value;
    }

    /** A boolean, the default when absent. */
    boolean optionalBoolean(JsonNode node, String field, String path, boolean fallback) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            add(path, "must be true or false");
            return fallback;
        }
        return value.asBoolean();
    }

    /** An id as a number or a numeric string, or null after recording why not. */
    Long requireId(JsonNode node, String field, String path) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.isNull()) {
            add(path, "is required");
            return null;
        }
        if (value.isIntegralNumber()) {
            return value.asLong();
        }
        if (value.isTextual() && value.asText().matches("\\d{1,18}")) {
            return Long.parseLong(value.asText());
        }
        add(path, "must be an id (a numeric string)");
        return null;
    }

    /**
     * Every key of {@code node} (and its nested objects) that {@code shape} neither knows nor tolerates, as a problem
     * at its path under {@code path}: {@code configuration.deleteBehaviour: unknown setting; did you mean deleteBehavior?}.
     */
    void unknownKeys(KnownKeys shape, JsonNode node, String path) {
        shape.unknown(node, path).forEach(u -> add(u.path(), u.message()));
    }

    /** Throws {@link ValidationException} with every problem, if any. */
    void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
    }
}
