package dev.eddy.config.gitsync;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Git Sync's behaviour against a real bare repository; subclasses reach it over {@code file://} or over HTTP with a
 * token. Each test sets up Git Sync on a fresh repository, with a long poll so only {@code pull} imports.
 */
abstract class GitSyncScenarios {

    static final String KEY = "test-api-key";

    @Inject
    GitSyncCatalog catalog;

    UserRepository user;
    String source;
    String destination;

    /** A fresh seeded repository reached the subclass's way. */
    abstract UserRepository newRepository() throws Exception;

    /** The repoUrl and credentials part of the setup body for a bare repository. */
    abstract Map<String, Object> setupFor(java.io.File bare) throws Exception;

    static RequestSpecification api() {
        return given().header("Authorization", "Bearer " + KEY).contentType(ContentType.JSON);
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @BeforeEach
    void setUp() throws Exception {
        source = unique("wh");
        api().body(Map.of("name", "Warehouse", "slug", source, "type", "postgres",
                "configuration", Map.of("host", "localhost", "database", "warehouse", "user", "eddy", "password", "pw")))
                .post("/api/v1/sources").then().statusCode(200);
        destination = unique("hook");
        api().body(Map.of("name", "Hook", "slug", destination, "type", "webhook",
                "configuration", Map.of("url", "http://localhost:9/hook"))).post("/api/v1/destinations").then().statusCode(200);
        user = newRepository();
        setUp(false);
    }

    JsonPath setUp(boolean applyDeletes) throws Exception {
        Map<String, Object> body = new java.util.HashMap<>(setupFor(user.bare));
        body.put("branch", "main");
        body.put("path", "eddy");
        body.put("pollSeconds", 3600);
        body.put("applyDeletes", applyDeletes);
        return api().body(body).put("/api/v1/git-sync").then().statusCode(200).extract().jsonPath();
    }

    JsonPath pull() {
        return api().post("/api/v1/git-sync/pull").then().statusCode(200).extract().jsonPath();
    }

    String modelYaml(String name, String sourceSlug, String sql) {
        return "name: " + name + "\nsource: " + sourceSlug + "\ntype: raw_sql\nrawSql: " + sql
                + "\ntableName: null\ndbtModel: null\nisSchema: false\nprimaryKey: id\n";
    }

    long createModelViaApi(String slug, String sql) {
        long sourceId = api().get("/api/v1/sources?slug=" + source).then().extract().jsonPath().getLong("data[0].id");
        return api().body(Map.of("name", "Model " + slug, "slug", slug, "primaryKey", "id", "sourceId", sourceId,
                "queryType", "raw_sql", "raw", Map.of("sql", sql))).post("/api/v1/models")
                .then().statusCode(200).extract().jsonPath().getLong("id");
    }

    JsonPath model(String slug) {
        return api().get("/api/v1/models?slug=" + slug).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void emptyRepositoryIsRefusedWithAFirstCommitHint() throws Exception {
        Map<String, Object> body = new java.util.HashMap<>(setupFor(UserRepository.emptyBare()));
        body.put("branch", "main");
        String message = api().body(body).put("/api/v1/git-sync").then().statusCode(422)
                .extract().jsonPath().getString("details.repoUrl");
        assertTrue(message.contains("first commit"), message);
        setUp(false); // the suite's Git Sync stays on the test's repository
    }

    @Test
    void setupNeverReturnsCredentialsAndExportsExistingObjects() throws Exception {
        String slug = unique("existing");
        JsonPath view = api().get("/api/v1/git-sync").then().statusCode(200).extract().jsonPath();
        assertTrue(view.getBoolean("enabled"));
        assertNull(view.get("credentials"));
        assertFalse(api().get("/api/v1/git-sync").asString().contains("s3cret-token"));
        assertNotNull(view.getString("status.lastInboundCommit"));
        createModelViaApi(slug, "SELECT 1 AS id");
        await().atMost(Duration.ofSeconds(60)).until(() -> user.remoteFile("eddy/models/" + slug + ".yaml") != null);
    }

    @Test
    void outboundCreateAndUpdateAreCommittedOneEachNamingTheApiKey() throws Exception {
        String slug = unique("customers");
        createModelViaApi(slug, "SELECT id, email FROM customers");
        await().atMost(Duration.ofSeconds(60)).until(() -> user.remoteFile("eddy/models/" + slug + ".yaml") != null);
        String file = user.remoteFile("eddy/models/" + slug + ".yaml");
        assertTrue(file.contains("source: " + source), file);
        assertEquals("SELECT id, email FROM customers", GitSyncFiles.parse(file).tree().get("rawSql").asText(), file);
        assertTrue(file.contains("isSchema: false"), file);
        assertTrue(user.remoteLog().contains("Create model " + slug + " (API key 'bootstrap')"), user.remoteLog().toString());

        long id = model(slug).getLong("data[0].id");
        api().body(Map.of("raw", Map.of("sql", "SELECT id FROM customers WHERE active"))).patch("/api/v1/models/" + id)
                .then().statusCode(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> user.remoteFile("eddy/models/" + slug + ".yaml").contains("WHERE active"));
        assertTrue(user.remoteLog().get(0).equals("Update model " + slug + " (API key 'bootstrap')"), user.remoteLog().toString());

        long modelId = model(slug).getLong("data[0].id");
        long destinationId = api().get("/api/v1/destinations?slug=" + destination).then().extract().jsonPath().getLong("data[0].id");
        String sync = unique("to-hook");
        api().body(Map.of("slug", sync, "modelId", modelId, "destinationId", destinationId,
                "configuration", Map.of("mode", "upsert", "deleteBehavior", "delete"))).post("/api/v1/syncs").then().statusCode(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> user.remoteFile("eddy/syncs/" + sync + ".yaml") != null);
        String syncFile = user.remoteFile("eddy/syncs/" + sync + ".yaml");
        assertTrue(syncFile.contains("model: " + slug) && syncFile.contains("destination: " + destination), syncFile);
        assertTrue(syncFile.contains("schedulePaused: false") && syncFile.contains("disabled: false")
                && syncFile.contains("mode: upsert"), syncFile);
        assertFalse(syncFile.contains("localhost:9"), "destination configuration is never written");

        // pausing the schedule is not disabling: each has its own key
        long syncId = api().get("/api/v1/syncs?slug=" + sync).then().extract().jsonPath().getLong("data[0].id");
        api().body(Map.of("schedulePaused", true)).patch("/api/v1/syncs/" + syncId).then().statusCode(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> user.remoteFile("eddy/syncs/" + sync + ".yaml").contains("schedulePaused: true"));
        assertTrue(user.remoteFile("eddy/syncs/" + sync + ".yaml").contains("disabled: false"));
    }

    @Test
    void inboundCreateAndUpdateApplyOnPull() throws Exception {
        String slug = unique("orders");
        String sync = unique("orders-to-hook");
        user.commit("add orders", "eddy/models/" + slug + ".yaml", modelYaml("Orders", source, "SELECT id FROM orders"),
                "eddy/syncs/" + sync + ".yaml", "model: " + slug + "\ndestination: " + destination
                        + "\nconfig:\n  mode: upsert\n  mappings:\n    - from: id\n      to: order_id\n      type: standard\n"
                        + "schedule:\n  type: interval\n  schedule:\n    interval:\n      quantity: 1\n      unit: hour\nschedulePaused: true\n");
        JsonPath status = pull();
        assertEquals(List.of(), status.getList("status.fileErrors"));
        assertEquals("SELECT id FROM orders", model(slug).getString("data[0].raw.sql"));
        JsonPath s = api().get("/api/v1/syncs?slug=" + sync).then().statusCode(200).extract().jsonPath();
        assertEquals("interval", s.getString("data[0].schedule.type"));
        // schedulePaused pauses the schedule; it no longer stands for disabled (the file has no disabled key)
        assertTrue(s.getBoolean("data[0].schedulePaused"));
        assertFalse(s.getBoolean("data[0].disabled"));
        assertEquals("order_id", s.getString("data[0].configuration.mappings[0].to"));

        user.commit("change orders", "eddy/models/" + slug + ".yaml", modelYaml("Orders", source, "SELECT id FROM orders WHERE paid"));
        pull();
        assertEquals("SELECT id FROM orders WHERE paid", model(slug).getString("data[0].raw.sql"));

        user.commit("disable the sync", "eddy/syncs/" + sync + ".yaml", "model: " + slug + "\ndestination: " + destination
                + "\nconfig:\n  mode: upsert\nschedulePaused: false\ndisabled: true\n");
        pull();
        JsonPath disabled = api().get("/api/v1/syncs?slug=" + sync).then().statusCode(200).extract().jsonPath();
        assertTrue(disabled.getBoolean("data[0].disabled"));
        assertFalse(disabled.getBoolean("data[0].schedulePaused"));
    }

    @Test
    void productionStyleSyncFileKeepsItsExtraKeysRoundTrip() throws Exception {
        String slug = unique("users");
        String sync = unique("users-to-hook");
        String syncYaml = """
                model: %s
                destination: %s
                description: owned by growth
                config:
                  configVersion: 2
                  mode: upsert
                  object: contacts
                  externalIdMapping:
                    from: id
                    to: external_id
                    type: standard
                  mappings:
                    - from: email
                      to: email
                      type: standard
                  customMappings:
                    - from: plan
                      to: plan_tier
                  aliasMappings: []
                  deleteBehavior: delete
                schedule:
                  type: manual
                  schedule: null
                schedulePaused: false
                """.formatted(slug, destination);
        user.commit("export from Hightouch", "eddy/manifest.yaml", "version: 1\nworkspace: acme\n",
                "eddy/models/" + slug + ".yaml", modelYaml("Users", source, "SELECT * FROM users") + "description: all users\n",
                "eddy/syncs/" + sync + ".yaml", syncYaml);
        JsonPath status = pull();
        assertEquals(List.of(), status.getList("status.fileErrors"));
        JsonPath s = api().get("/api/v1/syncs?slug=" + sync).then().statusCode(200).extract().jsonPath();
        assertEquals("plan_tier", s.getString("data[0].configuration.customMappings[0].to"));
        assertEquals(2, s.getInt("data[0].configuration.configVersion"));

        api().post("/api/v1/git-sync/resync").then().statusCode(200);
        String written = user.remoteFile("eddy/syncs/" + sync + ".yaml");
        assertTrue(written.contains("description: owned by growth"), written);
        assertTrue(written.contains("customMappings:") && written.contains("aliasMappings: []") && written.contains("configVersion: 2"), written);
        assertTrue(written.contains("externalIdMapping:"), written);
        assertTrue(user.remoteFile("eddy/models/" + slug + ".yaml").contains("description: all users"));
        assertEquals("version: 1\nworkspace: acme\n", user.remoteFile("eddy/manifest.yaml"));
    }

    @Test
    void brokenFileAndUnknownSlugAreReportedWithLineAndTheRestApplies() throws Exception {
        String good = unique("good");
        String broken = unique("broken");
        String orphan = unique("orphan");
        String badSync = unique("bad-sync");
        user.commit("mixed", "eddy/models/" + good + ".yaml", modelYaml("Good", source, "SELECT 1 AS id"),
                "eddy/models/" + broken + ".yaml", "name: Broken\nsource: " + source + "\nrawSql: [unclosed\ntype: raw_sql\n",
                "eddy/models/" + orphan + ".yaml", modelYaml("Orphan", "no-such-source", "SELECT 1 AS id"),
                "eddy/syncs/" + badSync + ".yaml", "model: " + good + "\ndestination: nowhere\n");
        JsonPath status = pull();
        assertEquals("SELECT 1 AS id", model(good).getString("data[0].raw.sql"));
        assertEquals(0, model(broken).getList("data").size());
        assertEquals(0, model(orphan).getList("data").size());
        assertEquals(0, api().get("/api/v1/syncs?slug=" + badSync).then().extract().jsonPath().getList("data").size());
        List<Map<String, Object>> errors = status.getList("status.fileErrors");
        Map<String, Object> brokenError = errors.stream().filter(e -> e.get("file").equals("eddy/models/" + broken + ".yaml")).findFirst().orElseThrow();
        assertTrue(((String) brokenError.get("reason")).contains("not valid YAML"), brokenError.toString());
        assertTrue((Integer) brokenError.get("line") >= 3, brokenError.toString());
        Map<String, Object> orphanError = errors.stream().filter(e -> e.get("file").equals("eddy/models/" + orphan + ".yaml")).findFirst().orElseThrow();
        assertEquals(2, orphanError.get("line"));
        assertTrue(((String) orphanError.get("reason")).contains("unknown source slug 'no-such-source'"));
        Map<String, Object> syncError = errors.stream().filter(e -> e.get("file").equals("eddy/syncs/" + badSync + ".yaml")).findFirst().orElseThrow();
        assertEquals(2, syncError.get("line"));
        assertTrue(((String) syncError.get("reason")).contains("unknown destination slug 'nowhere'"));

        // fixing the file clears its error and applies it
        user.commit("fix", "eddy/models/" + broken + ".yaml", modelYaml("Broken", source, "SELECT 2 AS id"));
        JsonPath after = pull();
        assertEquals("SELECT 2 AS id", model(broken).getString("data[0].raw.sql"));
        assertTrue(after.getList("status.fileErrors.file").stream().noneMatch(f -> f.equals("eddy/models/" + broken + ".yaml")));
    }

    @Test
    void misspeltKeysAreFileProblemsAtTheirLinesAndNothingOfTheFileIsImported() throws Exception {
        String typoModel = unique("typo-model");
        String good = unique("good");
        String typoSync = unique("typo-sync");
        user.commit("typos", "eddy/models/" + typoModel + ".yaml", modelYaml("Typo", source, "SELECT 1 AS id") + "primaryKee: id\n",
                "eddy/models/" + good + ".yaml", modelYaml("Good", source, "SELECT 1 AS id"),
                "eddy/syncs/" + typoSync + ".yaml", "model: " + good + "\ndestination: " + destination
                        + "\nconfig:\n  mode: upsert\n  deleteBehaviour: delete\n  mappings:\n    - from: id\n      to: id\n"
                        + "    - frm: id\n      to: key\n");
        JsonPath status = pull();
        assertEquals("SELECT 1 AS id", model(good).getString("data[0].raw.sql"));
        assertEquals(0, model(typoModel).getList("data").size());
        assertEquals(0, api().get("/api/v1/syncs?slug=" + typoSync).then().extract().jsonPath().getList("data").size());
        List<Map<String, Object>> errors = status.getList("status.fileErrors");
        assertTrue(errors.contains(Map.of("file", "eddy/models/" + typoModel + ".yaml", "line", 9,
                "reason", "primaryKee: unknown setting; did you mean primaryKey?")), errors.toString());
        assertTrue(errors.contains(Map.of("file", "eddy/syncs/" + typoSync + ".yaml", "line", 5,
                "reason", "config.deleteBehaviour: unknown setting; did you mean deleteBehavior?")), errors.toString());
        assertTrue(errors.contains(Map.of("file", "eddy/syncs/" + typoSync + ".yaml", "line", 9,
                "reason", "config.mappings[1].frm: unknown setting; did you mean from?")), errors.toString());
    }

    @Test
    void deletedFilesAreOnlyReportedByDefaultAndAppliedWithApplyDeletes() throws Exception {
        String slug = unique("leads");
        String sync = unique("leads-to-hook");
        user.commit("add", "eddy/models/" + slug + ".yaml", modelYaml("Leads", source, "SELECT id FROM leads"),
                "eddy/syncs/" + sync + ".yaml", "model: " + slug + "\ndestination: " + destination + "\n");
        pull();
        user.commit("remove sync", "eddy/syncs/" + sync + ".yaml", null);
        JsonPath reported = pull();
        assertEquals(1, api().get("/api/v1/syncs?slug=" + sync).then().extract().jsonPath().getList("data").size());
        assertTrue(reported.getList("status.deletions.action").contains("reported"));

        setUp(true);
        user.commit("remove model and sync again", "eddy/models/" + slug + ".yaml", null);
        JsonPath kept = pull();
        assertEquals(1, model(slug).getList("data").size(), "a model still used by a sync is not deleted");
        List<Map<String, Object>> deletions = kept.getList("status.deletions");
        assertTrue(deletions.stream().anyMatch(d -> slug.equals(d.get("slug")) && "kept_in_use".equals(d.get("action"))
                && ((String) d.get("reason")).contains(sync)), deletions.toString());

        // the sync's file came back with the setup's export; deleting it now deletes the sync, then the model can go
        user.commit("remove sync for real", "eddy/syncs/" + sync + ".yaml", null);
        pull();
        assertEquals(0, api().get("/api/v1/syncs?slug=" + sync).then().extract().jsonPath().getList("data").size());
        user.commit("restore model", "eddy/models/" + slug + ".yaml",
                modelYaml("Leads", source, "SELECT id FROM leads"));
        pull();
        user.commit("remove model for real", "eddy/models/" + slug + ".yaml", null);
        pull();
        assertEquals(0, model(slug).getList("data").size());
    }

    @Test
    void conflictIsDecidedByTheLaterChangeAndReported() throws Exception {
        String slug = unique("accounts");
        user.commit("add", "eddy/models/" + slug + ".yaml", modelYaml("Accounts", source, "SELECT id FROM accounts"));
        pull();

        // API change not yet pushed (no outbox entry) and an older commit on the same file: the API wins
        catalog.upsertModel(new ModelDocument(slug, "Accounts", source, "raw_sql", "SELECT id FROM accounts -- api", null, null, "id", null));
        user.commit("older git edit", Instant.now().minusSeconds(3600),
                "eddy/models/" + slug + ".yaml", modelYaml("Accounts", source, "SELECT id FROM accounts -- git old"));
        JsonPath first = pull();
        assertEquals("SELECT id FROM accounts -- api", model(slug).getString("data[0].raw.sql"));
        List<Map<String, Object>> conflicts = first.getList("status.conflicts");
        Map<String, Object> last = conflicts.get(conflicts.size() - 1);
        assertEquals(slug, last.get("slug"));
        assertEquals("api", last.get("winner"));
        assertTrue(user.remoteFile("eddy/models/" + slug + ".yaml").contains("-- api"), "the file is rewritten from the API");

        // a newer commit wins over an API change
        catalog.upsertModel(new ModelDocument(slug, "Accounts", source, "raw_sql", "SELECT id FROM accounts -- api 2", null, null, "id", null));
        user.commit("newer git edit", Instant.now().plusSeconds(3600),
                "eddy/models/" + slug + ".yaml", modelYaml("Accounts", source, "SELECT id FROM accounts -- git new"));
        JsonPath second = pull();
        assertEquals("SELECT id FROM accounts -- git new", model(slug).getString("data[0].raw.sql"));
        List<Map<String, Object>> after = second.getList("status.conflicts");
        assertEquals("git", after.get(after.size() - 1).get("winner"));
    }

    @Test
    void resyncRewritesEveryFileFromTheCurrentState() throws Exception {
        String slug = unique("products");
        createModelViaApi(slug, "SELECT id FROM products");
        await().atMost(Duration.ofSeconds(60)).until(() -> user.remoteFile("eddy/models/" + slug + ".yaml") != null);
        user.commit("delete file (not applied)", "eddy/models/" + slug + ".yaml", null);
        pull();
        assertNull(user.remoteFile("eddy/models/" + slug + ".yaml"));
        JsonPath status = api().post("/api/v1/git-sync/resync").then().statusCode(200).extract().jsonPath();
        String file = user.remoteFile("eddy/models/" + slug + ".yaml");
        assertNotNull(file);
        assertTrue(file.contains("rawSql: SELECT id FROM products"), file);
        assertTrue(user.remoteLog().get(0).startsWith("Resync: rewrite"), user.remoteLog().get(0));
        assertEquals(status.getString("status.lastOutboundCommit"), status.getString("status.lastInboundCommit"));
    }
}
