package dev.eddy.config.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import com.fasterxml.jackson.core.type.TypeReference;
import io.quarkus.test.common.http.TestHTTPResource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static dev.eddy.config.api.Fixtures.unique;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Throws bad input at every create, update and list endpoint — NUL characters, very long strings, numbers out of
 * range, wrong JSON types, invalid dates, negative limits and offsets, non-numeric ids, unknown enum values, deeply
 * nested JSON — and requires a 4xx with a JSON error body for each, naming the field where there is one. Never a 500.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class BadInputApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NUL = "a\u0000b";
    private static final String MEGABYTE = "x".repeat(1024 * 1024 + 1);
    private static final String LONG_NAME = "n".repeat(1001);

    /** One bad request and the field its answer must name (null: a 4xx with a message is enough). */
    private record Case(String method, String path, String body, String field) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TestHTTPResource("/")
    URI base;

    @Test
    void everyBadInputIsA4xxNamingTheFieldAndNeverA500() throws Exception {
        String sourceId = Fixtures.warehouseSource();
        String modelId = Fixtures.customersModel(sourceId);
        String destinationId = Fixtures.webhook();
        String syncId = Fixtures.sync(modelId, destinationId);

        ObjectNode source = object(Map.of("name", "S", "slug", unique("src"), "type", "postgres",
                "configuration", Map.of("host", "127.0.0.1", "port", 5432, "database", "d", "user", "u", "password", "p")));
        ObjectNode model = object(Map.of("name", "M", "slug", unique("mod"), "sourceId", sourceId, "queryType", "raw_sql",
                "raw", Map.of("sql", "SELECT 1 AS id"), "primaryKey", "id"));
        ObjectNode destination = object(Map.of("name", "D", "slug", unique("dst"), "type", "webhook",
                "configuration", Map.of("url", "http://127.0.0.1:9/hook")));
        ObjectNode sync = object(Map.of("slug", unique("syn"), "modelId", modelId, "destinationId", destinationId,
                "schedule", Map.of("type", "manual"),
                "configuration", Map.of("mode", "upsert", "object", "contacts",
                        "mappings", List.of(Map.of("from", "email", "to", "email", "type", "standard")))));
        ObjectNode sequence = object(Map.of("name", "Q", "slug", unique("seq"), "steps", List.of(Map.of("syncId", syncId))));

        List<Case> cases = new ArrayList<>();
        Map<String, ObjectNode> bases = Map.of("/api/v1/sources", source, "/api/v1/models", model,
                "/api/v1/destinations", destination, "/api/v1/syncs", sync, "/api/v1/sync-sequences", sequence);
        Map<String, String> existing = Map.of("/api/v1/sources", sourceId, "/api/v1/models", modelId,
                "/api/v1/destinations", destinationId, "/api/v1/syncs", syncId);
        for (Map.Entry<String, ObjectNode> base : bases.entrySet()) {
            String path = base.getKey();
            ObjectNode body = base.getValue();
            // the same bad slugs and names for every kind
            cases.add(post(path, with(body, b -> b.put("slug", NUL)), "slug"));
            cases.add(post(path, with(body, b -> b.put("slug", MEGABYTE)), "slug"));
            cases.add(post(path, with(body, b -> b.put("slug", "s".repeat(101))), "slug"));
            cases.add(post(path, with(body, b -> b.put("slug", "../../x")), "slug"));
            cases.add(post(path, with(body, b -> b.put("slug", "Upper.Case")), "slug"));
            cases.add(post(path, with(body, b -> b.put("slug", 12)), "slug"));
            cases.add(post(path, with(body, b -> b.set("slug", JSON.createObjectNode())), "slug"));
            if (body.has("name")) {
                cases.add(post(path, with(body, b -> b.put("name", NUL)), "name"));
                cases.add(post(path, with(body, b -> b.put("name", LONG_NAME)), "name"));
                cases.add(post(path, with(body, b -> b.set("name", JSON.createArrayNode())), "name"));
            }
            cases.add(post(path, "[1,2,3]", null));
            cases.add(post(path, "{\"slug\":", null));
            cases.add(post(path, "[".repeat(5000) + "]".repeat(5000), null));
            cases.add(post(path, "{\"a\":".repeat(200) + "1" + "}".repeat(200), null));
            cases.add(post(path, with(body, b -> b.put("k\u0000ey", "v")), "body"));
            // lists
            cases.add(get(path + "?slug=a%00b", "slug"));
            cases.add(get(path + "?limit=-1", "limit"));
            cases.add(get(path + "?limit=1e30", "limit"));
            cases.add(get(path + "?limit=abc", "limit"));
            cases.add(get(path + "?offset=-5", "offset"));
            cases.add(get(path + "?slug=" + "s".repeat(3000), "slug"));
            String id = existing.get(path);
            if (id != null) {
                cases.add(get(path + "?orderBy=nope", "orderBy"));
                if (path.endsWith("/syncs")) { // the only list filtered by time
                    cases.add(get(path + "?after=not-a-date", "after"));
                    cases.add(get(path + "?before=%2B999999999-01-01T00:00:00Z", "before"));
                }
                cases.add(new Case("PATCH", path + "/" + id, "{\"name\":\"" + "a\\u0000b" + "\"}", "name"));
                cases.add(new Case("PATCH", path + "/" + id, "{\"slug\":\"../../x\"}", "slug"));
                cases.add(new Case("PATCH", path + "/" + id, "\"just a string\"", null));
                cases.add(get(path + "/abc", null));
                cases.add(get(path + "/99999999999999999999999", null));
                cases.add(get(path + "/1%00", null));
            }
        }
        // fields of one kind
        cases.add(post("/api/v1/sources", with(source, b -> b.put("type", "oracle")), "type"));
        cases.add(post("/api/v1/sources", with(source, b -> ((ObjectNode) b.get("configuration")).put("port", "99999999999999999999")), "configuration.port"));
        cases.add(post("/api/v1/sources", with(source, b -> ((ObjectNode) b.get("configuration")).put("host", NUL)), "configuration.host"));
        cases.add(post("/api/v1/sources", with(source, b -> b.set("configuration", JSON.createArrayNode())), "configuration"));
        cases.add(post("/api/v1/models", with(model, b -> ((ObjectNode) b.get("raw")).put("sql", "SELECT 1 AS id -- " + NUL)), "raw.sql"));
        cases.add(post("/api/v1/models", with(model, b -> ((ObjectNode) b.get("raw")).put("sql", "SELECT 1 AS id -- " + MEGABYTE)), "raw.sql"));
        cases.add(post("/api/v1/models", with(model, b -> b.put("sourceId", "abc")), "sourceId"));
        cases.add(post("/api/v1/models", with(model, b -> b.put("sourceId", 1e30)), "sourceId"));
        cases.add(post("/api/v1/models", with(model, b -> b.put("queryType", "graphql")), "queryType"));
        cases.add(post("/api/v1/models", with(model, b -> b.put("primaryKey", NUL)), "primaryKey"));
        cases.add(post("/api/v1/destinations", with(destination, b -> b.put("type", "ftp")), "type"));
        cases.add(post("/api/v1/destinations", with(destination, b -> ((ObjectNode) b.get("configuration")).put("url", "http://h/" + NUL)), "configuration.url"));
        cases.add(post("/api/v1/syncs", with(sync, b -> b.put("modelId", -1)), "modelId"));
        cases.add(post("/api/v1/syncs", with(sync, b -> b.put("modelId", "12abc")), "modelId"));
        cases.add(post("/api/v1/syncs", with(sync, b -> b.put("disabled", "maybe")), "disabled"));
        cases.add(post("/api/v1/syncs", with(sync, b -> b.set("schedule", object(Map.of("type", "interval",
                "schedule", Map.of("interval", Map.of("quantity", 9_000_000_000_000_000L, "unit", "week")))))),
                "schedule.schedule.interval.quantity"));
        cases.add(post("/api/v1/syncs", with(sync, b -> b.set("schedule", object(Map.of("type", "interval",
                "schedule", Map.of("interval", Map.of("quantity", 1, "unit", "minute"), "startDate", "-999999999-01-01T00:00:00Z"))))),
                "schedule.startDate"));
        cases.add(post("/api/v1/syncs", with(sync, b -> b.set("schedule", object(Map.of("type", "hourly")))), "schedule.type"));
        cases.add(post("/api/v1/syncs", with(sync, b -> ((ObjectNode) b.get("configuration")).put("mode", "teleport")), null));
        cases.add(post("/api/v1/sync-sequences", with(sequence, b -> b.put("steps", "all")), "steps"));
        cases.add(post("/api/v1/sync-sequences", with(sequence, b -> b.set("steps", JSON.valueToTree(List.of(Map.of("syncId", NUL))))), "steps[0].syncId"));
        // runs and triggers
        cases.add(get("/api/v1/syncs/" + syncId + "/runs?within=1e30", "within"));
        cases.add(get("/api/v1/syncs/" + syncId + "/runs?within=-3", "within"));
        cases.add(get("/api/v1/syncs/" + syncId + "/runs?within=abc", "within"));
        cases.add(get("/api/v1/syncs/" + syncId + "/runs?runId=abc", "runId"));
        cases.add(get("/api/v1/syncs/" + syncId + "/runs?limit=0", "limit"));
        cases.add(get("/api/v1/syncs/" + syncId + "/runs?after=2024-13-45", "after"));
        cases.add(get("/api/v1/syncs/abc/runs", null));
        cases.add(post("/api/v1/syncs/trigger", "{\"syncId\":\"" + "a\\u0000b" + "\"}", "syncId"));
        cases.add(post("/api/v1/syncs/trigger", "{\"syncSlug\":{}}", "syncSlug"));
        cases.add(post("/api/v1/syncs/" + syncId + "/trigger", "{\"fullResync\":\"often\"}", "fullResync"));

        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            // plain HTTP, sent as given: a client library would encode the NULs and pretty-print the deep bodies
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + c.path()))
                    .header("Authorization", "Bearer " + Fixtures.KEY).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60))
                    .method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(c.body()))
                    .build(), HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            String described = c.method() + " " + abbreviate(c.path()) + " " + abbreviate(c.body()) + " -> " + status + " "
                    + abbreviate(response.body());
            if (status < 400 || status >= 500) {
                failures.add(described);
                continue;
            }
            Map<String, Object> error;
            try {
                error = JSON.readValue(response.body(), new TypeReference<Map<String, Object>>() { });
            } catch (IOException | RuntimeException e) {
                failures.add(described + " (no JSON body)");
                continue;
            }
            if (error == null || !error.containsKey("message")) {
                failures.add(described + " (no message)");
            } else if (c.field() != null && !(error.get("details") instanceof Map<?, ?> details && details.containsKey(c.field()))) {
                failures.add(described + " (does not name " + c.field() + ")");
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " bad inputs not refused properly:\n"
                + String.join("\n", failures));
    }

    private static Case post(String path, Object body, String field) {
        return new Case("POST", path, body instanceof String s ? s : body.toString(), field);
    }

    private static Case get(String path, String field) {
        return new Case("GET", path, null, field);
    }

    private static ObjectNode object(Map<String, ?> value) {
        return JSON.valueToTree(value);
    }

    private static ObjectNode with(ObjectNode base, Consumer<ObjectNode> change) {
        ObjectNode copy = base.deepCopy();
        change.accept(copy);
        return copy;
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        String printable = s.replace("\u0000", "\\0");
        return printable.length() > 160 ? printable.substring(0, 160) + "..." : printable;
    }
}
