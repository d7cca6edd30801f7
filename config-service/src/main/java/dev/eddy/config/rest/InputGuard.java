package dev.eddy.config.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eddy.config.service.ValidationException;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Refuses, before any validation or storage, values no field may hold: a NUL character (PostgreSQL text cannot store
 * it, so it would end as a 500) and strings longer than {@value #MAX_STRING} characters. Each is a 422 naming the
 * field path ({@code configuration.headers.Authorization}, {@code steps[2].syncId}); the per-field limits (slug,
 * name) are checked where the field is.
 */
final class InputGuard {

    /** The longest string any JSON field or query parameter may hold (a model's SQL is the longest legitimate one). */
    static final int MAX_STRING = 1024 * 1024;
    /** The longest query parameter. */
    static final int MAX_PARAMETER = 2000;

    private InputGuard() {
    }

    /** Throws a 422 naming every field of {@code body} that holds a NUL or an over-long string. */
    static void check(JsonNode body) {
        Map<String, String> problems = new LinkedHashMap<>();
        walk(body, "", problems);
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
    }

    /** Throws a 422 naming the query parameter when its value holds a NUL or is over-long. */
    static void checkParameter(String name, String value) {
        String problem = problem(value, MAX_PARAMETER);
        if (problem != null) {
            throw ValidationException.of(name, problem);
        }
    }

    private static void walk(JsonNode node, String path, Map<String, String> problems) {
        if (node.isTextual()) {
            String problem = problem(node.textValue(), MAX_STRING);
            if (problem != null) {
                problems.putIfAbsent(path.isEmpty() ? "body" : path, problem);
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String name = field.getKey();
                if (name.indexOf('\0') >= 0 || name.length() > 1000) {
                    problems.putIfAbsent(path.isEmpty() ? "body" : path, "holds a field name with a NUL character or over 1000 characters");
                    continue;
                }
                walk(field.getValue(), path.isEmpty() ? name : path + "." + name, problems);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), path + "[" + i + "]", problems);
            }
        }
    }

    private static String problem(String value, int max) {
        if (value == null) {
            return null;
        }
        if (value.indexOf('\0') >= 0) {
            return "must not contain a NUL character";
        }
        if (value.length() > max) {
            return "must be at most " + max + " characters";
        }
        return null;
    }
}
