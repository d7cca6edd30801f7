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
}
