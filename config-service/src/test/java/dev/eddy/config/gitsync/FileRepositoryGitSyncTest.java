package dev.eddy.config.gitsync;

import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Git Sync against a local bare repository over {@code file://}. */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class FileRepositoryGitSyncTest extends GitSyncScenarios {

    @Override
    UserRepository newRepository() throws Exception {
        File bare = UserRepository.emptyBare();
        return UserRepository.seeded(bare, bare.toURI().toString(), null);
    }

    @Override
    Map<String, Object> setupFor(File bare) {
        return Map.of("repoUrl", bare.toURI().toString());
    }

    @Test
    void aSyncFileItsDestinationCannotCarryOutIsReportedAtItsLineAndChangesNothing() throws Exception {
        String model = unique("people");
        String sync = unique("people-to-hook");
        user.commit("sync with a bad delivery setting", "eddy/models/" + model + ".yaml", modelYaml("People", source, "SELECT 1 AS id"),
                "eddy/syncs/" + sync + ".yaml", "model: " + model + "\ndestination: " + destination
                        + "\nconfig:\n  mode: upsert\n  batchSize: 0\n  mappings:\n    - {from: id, to: id, type: standard}\n");
        io.restassured.path.json.JsonPath status = pull();
        assertEquals(1, model(model).getList("data").size(), "the model file applies");
        assertEquals(0, api().get("/api/v1/syncs?slug=" + sync).then().extract().jsonPath().getList("data").size());
        Map<String, Object> error = status.<Map<String, Object>>getList("status.fileErrors").stream()
                .filter(e -> e.get("file").equals("eddy/syncs/" + sync + ".yaml")).findFirst().orElseThrow();
        assertTrue(((String) error.get("reason")).startsWith("config.batchSize: "), error.toString());
        assertEquals(5, error.get("line"), "the line of batchSize");
    }

    @Test
    void newCommitsAreImportedByThePollWithoutAPull() throws Exception {
        Map<String, Object> body = new HashMap<>(setupFor(user.bare));
        body.put("branch", "main");
        body.put("path", "eddy");
        body.put("pollSeconds", 5);
        api().body(body).put("/api/v1/git-sync").then().statusCode(200);
        String slug = unique("polled");
        String commit = user.commit("add polled", "eddy/models/" + slug + ".yaml",
                modelYaml("Polled", source, "SELECT id FROM polled")).name();
        await().atMost(Duration.ofSeconds(30)).until(() -> commit.equals(
                api().get("/api/v1/git-sync").then().extract().jsonPath().getString("status.lastInboundCommit")));
        assertEquals("SELECT id FROM polled", model(slug).getString("data[0].raw.sql"));
    }

    @Test
    void aFileWhoseNameIsNotASlugIsReportedAndNotApplied() throws Exception {
        String good = unique("good");
        user.commit("names that are not slugs", "eddy/models/...yaml", modelYaml("Dots", source, "SELECT 1 AS id"),
                "eddy/models/Evil.Name.yaml", modelYaml("Upper", source, "SELECT 1 AS id"),
                "eddy/models/" + good + ".yaml", modelYaml("Good", source, "SELECT 1 AS id"));
        io.restassured.path.json.JsonPath status = pull();
        assertEquals(1, model(good).getList("data").size(), "the file named by a slug applies");
        for (String file : new String[] {"eddy/models/...yaml", "eddy/models/Evil.Name.yaml"}) {
            Map<String, Object> error = status.<Map<String, Object>>getList("status.fileErrors").stream()
                    .filter(e -> e.get("file").equals(file)).findFirst().orElseThrow(() -> new AssertionError(file + " not reported"));
            assertTrue(((String) error.get("reason")).contains("is not a slug"), error.toString());
        }
        assertEquals(0, model("..").getList("data").size());
        assertEquals(0, model("Evil.Name").getList("data").size());
    }
}
