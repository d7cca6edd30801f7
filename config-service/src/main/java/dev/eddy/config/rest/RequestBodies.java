package dev.eddy.config.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.config.service.MalformedRequestException;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Reads request bodies: JSON objects (malformed JSON is a 400, never a 500) and form-encoded fields. */
final class RequestBodies {

    /** No legitimate body nests deeper; a deeper one is refused while it is parsed (a 400, not a stack overflow). */
    static final int MAX_DEPTH = 64;
    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH).build())
            .build());

    private RequestBodies() {
    }

    /** The body as a JSON object; an empty body is an empty object when {@code emptyAllowed}. */
    static ObjectNode object(String body, boolean emptyAllowed) {
        if (body == null || body.isBlank()) {
            if (emptyAllowed) {
                return JsonNodeFactory.instance.objectNode();
            }
            throw new MalformedRequestException("the request needs a JSON body");
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new MalformedRequestException("malformed JSON: " + e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode object)) {
            throw new MalformedRequestException("the body must be a JSON object");
        }
        InputGuard.check(object);
        return object;
    }

    /** A form-encoded body as a JSON object of strings (the last value of a repeated field wins). */
    static ObjectNode form(String body) {
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        if (body == null || body.isBlank()) {
            return result;
        }
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                result.put(name, value);
            } catch (IllegalArgumentException e) {
                throw new MalformedRequestException("malformed form body");
            }
        }
        InputGuard.check(result);
        return result;
    }
}
