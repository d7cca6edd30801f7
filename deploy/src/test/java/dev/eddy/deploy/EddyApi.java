package dev.eddy.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small client of Eddy's public API for the end-to-end tests, speaking plain HTTP and JSON. */
final class EddyApi {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A response: its status and parsed JSON body (null when empty or not JSON). */
    record Reply(int status, JsonNode body, String raw) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String key;

    EddyApi(String base, String key) {
        this.base = base;
        this.key = key;
    }

    Reply get(String path) {
        return send("GET", path, null, key);
    }

    Reply post(String path, Object body) {
        return send("POST", path, body, key);
    }

    Reply patch(String path, Object body) {
        return send("PATCH", path, body, key);
    }

    Reply getWithKey(String path, String otherKey) {
        return send("GET", path, null, otherKey);
    }

    /** POSTs and expects a 2xx, returning the body. */
    JsonNode create(String path, Object body) {
        Reply reply = post(path, body);
        if (reply.status() / 100 != 2) {
            throw new AssertionError("POST " + path + " answered " + reply.status() + ": " + reply.raw());
        }
        return reply.body();
    }

    private Reply send(String method, String path, Object body, String apiKey) {
        try {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
            if (apiKey != null) {
                builder.header("Authorization", "Bearer " + apiKey);
            }
            if (body == null) {
                builder.method(method, method.equals("POST") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.noBody());
            } else {
                builder.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : JSON.writeValueAsString(body)));
            }
            HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            if (!response.body().isBlank()) {
                try {
                    json = JSON.readTree(response.body());
                } catch (IOException e) {
                    json = null;
                }
            }
            return new Reply(response.statusCode(), json, response.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
