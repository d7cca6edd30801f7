package dev.eddy.config.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.ResponseStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Eddy's own OpenAPI document ({@code /q/openapi}) against the reference Hightouch spec and against the code.
 * <p>
 * Hightouch's clients are generated from the reference spec, so every reference operation must appear in Eddy's
 * document with the same request and answer shapes (property names, types and required properties, with
 * {@code $ref}s resolved on both sides). And a client generated from Eddy's document must be typed and true: every
 * JAX-RS route Eddy serves is documented with a JSON (not string) request body where it takes one, the success
 * status its code answers, its query and path parameters, and an answer schema with the fields of the Java record it
 * returns; the document names no route the code does not serve.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class OpenApiDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Class<? extends Annotation>> HTTP_METHODS =
            List.of(GET.class, POST.class, PUT.class, PATCH.class, DELETE.class);
    /**
     * Reference properties Eddy never answers, and so does not document: custom (non-SQL) and visual queries
     * (docs/api.md, "Differences from Hightouch's spec").
     */
    private static final Set<String> NOT_ANSWERED = Set.of("Model.custom", "Model.visual");
    /** Alternatives Eddy answers beyond the reference's: schedules after a Fivetran connector (docs/scheduling.md). */
    private static final Set<String> EDDY_ONLY = Set.of("FivetranSchedule");
    /** How deep answer shapes are compared: Sync.schedule.schedule.interval.unit is five levels down. */
    private static final int DEPTH = 6;

    private static JsonNode reference;
    private static JsonNode eddy;

    @BeforeAll
    static void loadReference() throws IOException {
        // a copy of /work/shared/reference/hightouch-api-v1.openapi.yaml (MIT), as ReferenceSpecConformanceTest loads it
        try (var in = OpenApiDocumentTest.class.getResourceAsStream("/reference/hightouch-api-v1.openapi.yaml")) {
            reference = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
    }

    /** Fetched in each test: the application (and RestAssured's port) is not up yet in {@code @BeforeAll}. */
    private static void fetchEddysDocument() throws IOException {
        String body = given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        eddy = JSON.readTree(body);
        Files.writeString(Paths.get("target", "eddy-openapi.json"), body); // to read when a check fails
    }

    @Test
    void everyReferenceOperationHasTheReferenceShapes() throws IOException {
        fetchEddysDocument();
        List<String> problems = new ArrayList<>();
        int compared = 0;
        for (Iterator<Map.Entry<String, JsonNode>> paths = reference.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                String where = op.getKey().toUpperCase(Locale.ROOT) + " /api/v1" + path.getKey();
                JsonNode mine = operation("/api/v1" + path.getKey(), op.getKey());
                if (mine == null) {
                    problems.add(where + ": not in Eddy's document");
                    continue;
                }
                compared++;
                compareRequestBody(where, op.getValue(), mine, problems);
                compareResponses(where, op.getValue(), mine, problems);
            }
        }
        assertEquals(11, compared + problems.stream().filter(p -> p.endsWith("not in Eddy's document")).count(),
                "the reference spec has 11 operations");
        assertTrue(problems.isEmpty(), "Eddy's OpenAPI document differs from the reference spec:\n" + String.join("\n", problems));
    }

    @Test
    void everyRouteEddyServesIsDocumentedTypedAndWithTheStatusItAnswers() throws Exception {
        fetchEddysDocument();
        List<String> problems = new ArrayList<>();
        Set<String> served = new TreeSet<>();
        Set<String> operationIds = new HashSet<>();
        List<Class<?>> resources = resources();
        assertTrue(resources.size() >= 10, "found the JAX-RS resources: " + resources);
        for (Class<?> resource : resources) {
            String base = resource.getAnnotation(Path.class).value();
            for (Method method : resource.getDeclaredMethods()) {
                String verb = httpMethod(method);
                if (verb == null) {
                    continue;
                }
                Path sub = method.getAnnotation(Path.class);
                String path = join(base, sub == null ? "" : sub.value());
                String where = verb.toUpperCase(Locale.ROOT) + " " + path + " (" + resource.getSimpleName() + "." + method.getName() + ")";
                served.add(normalized(path) + " " + verb);
                JsonNode op = operation(path, verb);
                if (op == null) {
                    problems.add(where + ": not in Eddy's document");
                    continue;
                }
                checkOperation(where, path, method, op, operationIds, problems);
            }
        }
        // and the other way round: no operation the code does not serve
        for (Iterator<Map.Entry<String, JsonNode>> paths = eddy.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<String> verbs = path.getValue().fieldNames(); verbs.hasNext(); ) {
                String verb = verbs.next();
                if (HTTP_METHODS.stream().anyMatch(m -> m.getSimpleName().equalsIgnoreCase(verb))
                        && !served.contains(normalized(path.getKey()) + " " + verb)) {
                    problems.add(verb.toUpperCase(Locale.ROOT) + " " + path.getKey() + ": documented, but no resource serves it");
                }
            }
        }
        assertTrue(served.size() >= 40, "enumerated the routes: " + served);
        assertTrue(problems.isEmpty(), "Eddy's OpenAPI document does not describe the code:\n" + String.join("\n", problems));
    }

    private static void checkOperation(String where, String path, Method method, JsonNode op, Set<String> operationIds,
                                       List<String> problems) {
        String operationId = op.path("operationId").asText("");
        if (operationId.isEmpty() || !operationIds.add(operationId)) {
            problems.add(where + ": operationId '" + operationId + "' missing or not unique");
        }
        boolean takesBody = false;
        for (Parameter p : method.getParameters()) {
            QueryParam query = p.getAnnotation(QueryParam.class);
            PathParam pathParam = p.getAnnotation(PathParam.class);
            if (query != null) {
                requireParameter(where, op, query.value(), "query", problems);
            } else if (pathParam != null) {
                requireParameter(where, op, pathParam.value(), "path", problems);
            } else if (p.getAnnotation(HeaderParam.class) == null && p.getAnnotation(Context.class) == null) {
                takesBody = true;
            }
        }
        for (String name : pathNames(path)) {
            requireParameter(where, op, name, "path", problems);
        }
        JsonNode body = op.path("requestBody");
        if (takesBody) {
            JsonNode schema = resolve(eddy, body.path("content").path("application/json").path("schema"));
            if (!"object".equals(schema.path("type").asText()) || !schema.has("properties") && !schema.has("additionalProperties")) {
                problems.add(where + ": takes a body, but documents no JSON object request schema: " + body);
            }
        } else if (!body.isMissingNode()) {
            problems.add(where + ": documents a request body it does not read");
        }
        int status = successStatus(method);
        Set<String> successes = new TreeSet<>();
        op.path("responses").fieldNames().forEachRemaining(code -> {
            if (code.startsWith("2")) {
                successes.add(code);
            }
        });
        if (!successes.equals(Set.of(Integer.toString(status)))) {
            problems.add(where + ": the code answers " + status + ", the document says " + successes);
        }
        if (path.startsWith("/api/v1") && !op.path("responses").has("401")) {
            problems.add(where + ": no 401 (every /api/v1 call needs a key)");
        }
        if (path.contains("{") && path.startsWith("/api/v1") && !op.path("responses").has("404")) {
            problems.add(where + ": no 404 for an unknown id");
        }
        if (takesBody && !op.path("responses").has("422") && !op.path("responses").has("400")) {
            problems.add(where + ": takes a body but documents no 422/400");
        }
        for (String error : List.of("400", "404", "409", "422", "503")) {
            JsonNode response = resolve(eddy, op.path("responses").path(error));
            if (!response.isMissingNode() && !"object".equals(resolve(eddy,
                    response.path("content").path("application/json").path("schema")).path("type").asText())) {
                problems.add(where + ": its " + error + " has no JSON object schema");
            }
        }
        if (status != 204) {
            JsonNode schema = resolve(eddy, resolve(eddy, op.path("responses").path(Integer.toString(status)))
                    .path("content").path("application/json").path("schema"));
            if (schema.isMissingNode() || !schema.has("type")) {
                problems.add(where + ": no answer schema");
            } else {
                checkJavaShape(where + " answer", method.getGenericReturnType(), schema, 0, problems);
            }
        }
    }

    /** The answer schema has exactly the JSON fields of the record the method returns, with matching types. */
    private static void checkJavaShape(String where, Type type, JsonNode given, int depth, List<String> problems) {
        JsonNode schema = resolve(eddy, given);
        Class<?> raw = rawClass(type);
        if (raw == null || depth > DEPTH || JsonNode.class.isAssignableFrom(raw) || raw == Response.class || raw == Object.class) {
            return; // a JSON tree or a hand-built answer: the document is the only statement of its shape
        }
        String expected = jsonType(raw);
        String actual = schema.path("type").asText("");
        // a JSON number either way: Hightouch types its counts as numbers, Java holds them as long
        boolean numbers = Set.of("integer", "number").contains(expected) && Set.of("integer", "number").contains(actual);
        if (!expected.equals(actual) && !numbers) {
            problems.add(where + ": " + raw.getSimpleName() + " is a JSON " + expected + ", the document says " + actual);
            return;
        }
        if (raw.isRecord()) {
            Map<String, Type> fields = new LinkedHashMap<>();
            for (RecordComponent c : raw.getRecordComponents()) {
                JsonProperty renamed = c.getAccessor().getAnnotation(JsonProperty.class);
                JsonProperty onField = c.getAnnotation(JsonProperty.class);
                String name = onField != null ? onField.value() : renamed != null ? renamed.value() : c.getName();
                fields.put(name, resolveVariable(c.getGenericType(), type, raw));
            }
            Set<String> documented = new TreeSet<>();
            schema.path("properties").fieldNames().forEachRemaining(documented::add);
            if (!documented.equals(new TreeSet<>(fields.keySet()))) {
                problems.add(where + ": " + raw.getSimpleName() + " has fields " + new TreeSet<>(fields.keySet())
                        + ", the document " + documented);
                return;
            }
            fields.forEach((name, fieldType) -> checkJavaShape(where + "." + name, fieldType,
                    schema.path("properties").path(name), depth + 1, problems));
        } else if (Collection.class.isAssignableFrom(raw) && type instanceof ParameterizedType p) {
            checkJavaShape(where + "[]", p.getActualTypeArguments()[0], schema.path("items"), depth + 1, problems);
        }
    }

    private static void compareRequestBody(String where, JsonNode refOp, JsonNode mine, List<String> problems) {
        JsonNode refBody = refOp.path("requestBody");
        if (refBody.isMissingNode()) {
            return;
        }
        if (refBody.path("required").asBoolean(false) != mine.path("requestBody").path("required").asBoolean(false)) {
            problems.add(where + ": request body required is " + refBody.path("required") + " in the reference");
        }
        refBody.path("content").fieldNames().forEachRemaining(mediaType -> {
            JsonNode refSchema = refBody.path("content").path(mediaType).path("schema");
            JsonNode schema = resolve(eddy, mine.path("requestBody").path("content").path(mediaType).path("schema"));
            if (schema.isMissingNode()) {
                problems.add(where + ": no " + mediaType + " request body");
                return;
            }
            Set<String> refRequired = names(resolve(reference, refSchema).path("required"));
            if (!refRequired.equals(names(schema.path("required")))) {
                problems.add(where + ": request body requires " + names(schema.path("required")) + ", the reference " + refRequired);
            }
            compareShape(where + " request", refSchema, schema, 0, problems);
        });
    }

    private static void compareResponses(String where, JsonNode refOp, JsonNode mine, List<String> problems) {
        refOp.path("responses").fields().forEachRemaining(response -> {
            String code = response.getKey();
            JsonNode my = resolve(eddy, mine.path("responses").path(code));
            if (my.isMissingNode()) {
                problems.add(where + ": no " + code + " answer");
                return;
            }
            JsonNode refSchema = resolve(reference, response.getValue()).path("content").path("application/json").path("schema");
            if (!refSchema.isMissingNode()) {
                JsonNode schema = my.path("content").path("application/json").path("schema");
                if (schema.isMissingNode()) {
                    problems.add(where + " " + code + ": no JSON schema");
                } else {
                    compareShape(where + " " + code, refSchema, schema, 0, problems);
                }
            }
        });
    }

    /**
     * Eddy's schema has the reference's type, and every reference property with its type, required where the
     * reference requires it, recursively. Where the reference offers alternatives (anyOf), Eddy's schema must match at
     * least one of them: Eddy may answer less than the reference allows, never something else.
     */
    private static void compareShape(String where, JsonNode ref, JsonNode mine, int depth, List<String> problems) {
        if (depth > DEPTH) {
            return;
        }
        String refName = ref.has("$ref") ? ref.get("$ref").asText().replaceAll(".*/", "") : null;
        ref = resolve(reference, ref);
        mine = resolve(eddy, mine);
        JsonNode alternatives = ref.has("anyOf") ? ref.get("anyOf") : ref.get("oneOf");
        if (alternatives != null) {
            List<JsonNode> mineAlternatives = new ArrayList<>();
            JsonNode own = mine.has("anyOf") ? mine.get("anyOf") : mine.get("oneOf");
            if (own == null) {
                mineAlternatives.add(mine);
            } else {
                own.forEach(mineAlternatives::add);
            }
            for (JsonNode alternative : mineAlternatives) {
                if (EDDY_ONLY.contains(alternative.path("$ref").asText().replaceAll(".*/", ""))) {
                    continue;
                }
                boolean matches = false;
                for (JsonNode candidate : alternatives) {
                    List<String> attempt = new ArrayList<>();
                    compareShape(where, candidate, alternative, depth + 1, attempt);
                    matches |= attempt.isEmpty();
                }
                if (!matches) {
                    problems.add(where + ": " + alternative + " matches none of the reference's alternatives");
                }
            }
            return;
        }
        if (ref.has("type") && !ref.get("type").asText().equals(mine.path("type").asText())) {
            problems.add(where + ": type " + mine.path("type").asText("(none)") + ", the reference " + ref.get("type").asText());
            return;
        }
        Set<String> required = names(mine.path("required"));
        for (String name : names(ref.path("required"))) {
            if (!required.contains(name)) {
                problems.add(where + ": does not require " + name);
            }
        }
        final JsonNode own = mine;
        ref.path("properties").fields().forEachRemaining(p -> {
            JsonNode property = own.path("properties").path(p.getKey());
            if (property.isMissingNode() && NOT_ANSWERED.contains(refName + "." + p.getKey())) {
                return;
            }
            if (property.isMissingNode()) {
                problems.add(where + ": no property " + p.getKey());
            } else {
                compareShape(where + "." + p.getKey(), p.getValue(), property, depth + 1, problems);
            }
        });
        if (ref.has("items")) {
            compareShape(where + "[]", ref.get("items"), mine.path("items"), depth + 1, problems);
        }
    }

    /** The operation of Eddy's document for a path (any parameter names) and a method, or null. */
    private static JsonNode operation(String path, String method) {
        String wanted = normalized(path);
        for (Iterator<Map.Entry<String, JsonNode>> paths = eddy.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> p = paths.next();
            if (normalized(p.getKey()).equals(wanted) && p.getValue().has(method)) {
                // the path item's parameters apply to each of its operations
                com.fasterxml.jackson.databind.node.ObjectNode op = p.getValue().get(method).deepCopy();
                op.set("x-path-parameters", p.getValue().path("parameters"));
                return op;
            }
        }
        return null;
    }

    private static void requireParameter(String where, JsonNode op, String name, String in, List<String> problems) {
        List<JsonNode> declared = new ArrayList<>();
        op.path("parameters").forEach(declared::add);
        op.path("x-path-parameters").forEach(declared::add);
        for (JsonNode p : declared) {
            JsonNode parameter = resolve(eddy, p);
            if (name.equals(parameter.path("name").asText()) && in.equals(parameter.path("in").asText())) {
                if (!parameter.path("schema").has("type")) {
                    problems.add(where + ": parameter " + name + " has no schema type");
                }
                return;
            }
        }
        problems.add(where + ": " + in + " parameter " + name + " is not documented");
    }

    private static JsonNode resolve(JsonNode document, JsonNode node) {
        int hops = 0;
        while ((node.has("$ref") || node.path("allOf").size() == 1 && !node.has("type")) && hops++ < 10) {
            if (!node.has("$ref")) {
                node = node.get("allOf").get(0);
                continue;
            }
            JsonNode target = document;
            for (String part : node.get("$ref").asText().substring(2).split("/")) {
                target = target.path(part);
            }
            node = target;
        }
        return node;
    }

    private static Set<String> names(JsonNode array) {
        Set<String> names = new TreeSet<>();
        array.forEach(n -> names.add(n.asText()));
        return names;
    }

    private static String normalized(String path) {
        String p = path.replaceAll("\\{[^}]+}", "{}").replaceAll("/+$", "");
        return p.isEmpty() ? "/" : p;
    }

    private static Set<String> pathNames(String path) {
        Set<String> names = new LinkedHashSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([^}:]+)").matcher(path);
        while (m.find()) {
            names.add(m.group(1).trim());
        }
        return names;
    }

    private static String join(String base, String sub) {
        String joined = ("/" + base + "/" + sub).replaceAll("/+", "/");
        return joined.length() > 1 && joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
    }

    private static String httpMethod(Method method) {
        for (Class<? extends Annotation> verb : HTTP_METHODS) {
            if (method.isAnnotationPresent(verb)) {
                return verb.getSimpleName().toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    /** What the code answers on success: {@code @ResponseStatus}, 204 for void and for Git Sync's delete, else 200. */
    private static int successStatus(Method method) {
        ResponseStatus status = method.getAnnotation(ResponseStatus.class);
        if (status != null) {
            return status.value();
        }
        if (method.getReturnType() == void.class) {
            return 204;
        }
        if (method.getReturnType() == Response.class && method.isAnnotationPresent(DELETE.class)) {
            return 204; // GitSyncResource.delete answers Response.noContent()
        }
        return 200;
    }

    /** Every class of config-service's main code with a JAX-RS {@code @Path}, found on disk. */
    private static List<Class<?>> resources() throws IOException, ClassNotFoundException {
        // Surefire runs in the module's folder; Quarkus' test class loader has no code source to ask
        java.nio.file.Path root = Paths.get("target", "classes");
        List<Class<?>> found = new ArrayList<>();
        try (Stream<java.nio.file.Path> files = Files.walk(root)) {
            for (java.nio.file.Path file : files.filter(f -> f.toString().endsWith(".class") && !f.toString().contains("$")).toList()) {
                String name = root.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, OpenApiDocumentTest.class.getClassLoader());
                if (type.isAnnotationPresent(Path.class)) {
                    found.add(type);
                }
            }
        }
        return found;
    }

    private static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        return null;
    }

    /** A record component typed by the record's type variable ({@code Page<T>.data}) in the type the method returns. */
    private static Type resolveVariable(Type field, Type owner, Class<?> raw) {
        if (owner instanceof ParameterizedType p) {
            var variables = raw.getTypeParameters();
            if (field instanceof java.lang.reflect.TypeVariable<?> v) {
                for (int i = 0; i < variables.length; i++) {
                    if (variables[i].getName().equals(v.getName())) {
                        return p.getActualTypeArguments()[i];
                    }
                }
            }
            if (field instanceof ParameterizedType fp && fp.getActualTypeArguments()[0] instanceof java.lang.reflect.TypeVariable<?>) {
                Type element = resolveVariable(fp.getActualTypeArguments()[0], owner, raw);
                return new ParameterizedType() {
                    public Type[] getActualTypeArguments() {
                        return new Type[] {element};
                    }

                    public Type getRawType() {
                        return fp.getRawType();
                    }

                    public Type getOwnerType() {
                        return null;
                    }
                };
            }
        }
        return field;
    }

    private static String jsonType(Class<?> raw) {
        if (raw == String.class || raw == Instant.class || raw.isEnum()) {
            return "string";
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return "boolean";
        }
        if (raw == int.class || raw == long.class || raw == Integer.class || raw == Long.class) {
            return "integer";
        }
        if (raw.isPrimitive() || Number.class.isAssignableFrom(raw)) {
            return "number";
        }
        if (Collection.class.isAssignableFrom(raw) || raw.isArray()) {
            return "array";
        }
        return "object";
    }
}
