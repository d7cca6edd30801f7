package dev.eddy.config.gitsync;

import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Git Sync against a bare repository served over Git's smart HTTP with token authentication. */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class HttpRepositoryGitSyncTest extends GitSyncScenarios {

    private static final String TOKEN = "s3cret-token";
    private final List<SmartHttpGitServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        api().delete("/api/v1/git-sync").then().statusCode(204);
        servers.forEach(SmartHttpGitServer::close);
        servers.clear();
    }

    private SmartHttpGitServer serve(File bare) throws Exception {
        SmartHttpGitServer server = new SmartHttpGitServer(bare, TOKEN);
        servers.add(server);
        return server;
    }

    @Override
    UserRepository newRepository() throws Exception {
        File bare = UserRepository.emptyBare();
        return UserRepository.seeded(bare, serve(bare).url(), new UsernamePasswordCredentialsProvider("de", TOKEN));
    }

    @Override
    Map<String, Object> setupFor(File bare) throws Exception {
        String url = bare.equals(user == null ? null : user.bare) ? user.url() : serve(bare).url();
        return Map.of("repoUrl", url, "credentials", Map.of("username", "eddy", "token", TOKEN));
    }

    @Test
    void aWrongTokenIsRefusedAtSetup() {
        String message = given().header("Authorization", "Bearer " + KEY).contentType(ContentType.JSON)
                .body(Map.of("repoUrl", user.url(), "branch", "main", "credentials", Map.of("token", "wrong")))
                .put("/api/v1/git-sync").then().statusCode(422).extract().jsonPath().getString("details.repoUrl");
        assertTrue(message.startsWith("cannot read the repository"), message);
        assertTrue(!message.contains("wrong"), "the token is never echoed");
    }
}
