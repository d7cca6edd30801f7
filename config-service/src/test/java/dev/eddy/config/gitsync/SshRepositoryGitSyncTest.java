package dev.eddy.config.gitsync;

import dev.eddy.testsupport.EddyInfrastructureResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Git Sync against a bare repository served over SSH with public-key authentication: every scenario, plus the host
 * key rules (pinned at setup, a given known_hosts enforced) and key validation.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class SshRepositoryGitSyncTest extends GitSyncScenarios {

    private static final KeyPair USER_KEY = rsaKey();
    private final List<SshGitServer> servers = new ArrayList<>();
    private final Map<File, SshGitServer> byRepository = new java.util.HashMap<>();

    @Inject
    AgroalDataSource dataSource;

    @AfterEach
    void stopServers() throws Exception {
        api().delete("/api/v1/git-sync").then().statusCode(204);
        for (SshGitServer server : servers) {
            server.close();
        }
        servers.clear();
        byRepository.clear();
    }

    private SshGitServer serve(File bare) throws Exception {
        SshGitServer server = byRepository.get(bare);
        if (server == null) {
            server = new SshGitServer(bare, USER_KEY.getPublic());
            servers.add(server);
            byRepository.put(bare, server);
        }
        return server;
    }

    @Override
    UserRepository newRepository() throws Exception {
        File bare = UserRepository.emptyBare();
        serve(bare);
        // the user pushes over file://; Eddy reaches the same repository over SSH
        return UserRepository.seeded(bare, bare.toURI().toString(), null);
    }

    @Override
    Map<String, Object> setupFor(File bare) throws Exception {
        return Map.of("repoUrl", serve(bare).url(), "credentials", Map.of("sshPrivateKey", pem(USER_KEY)));
    }

    @Test
    void theHostKeySeenAtSetupIsPinnedShownAndKeptSecretFree() throws Exception {
        JsonPath view = api().get("/api/v1/git-sync").then().statusCode(200).extract().jsonPath();
        List<String> hostKeys = view.getList("sshHostKeys");
        assertEquals(List.of(serve(user.bare).knownHostsLine()), hostKeys);
        assertTrue(view.getBoolean("credentialsSet"));
        String body = api().get("/api/v1/git-sync").then().extract().asString();
        assertFalse(body.contains("PRIVATE KEY"), "the private key is never returned");
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT credentials FROM config.git_sync")) {
            assertTrue(rs.next());
            assertFalse(rs.getString(1).contains("PRIVATE KEY"), "the key is sealed at rest");
            assertFalse(rs.getString(1).contains(base64Body(USER_KEY)), "the key is sealed at rest");
        }
    }

    @Test
    void aServerWhoseKeyIsNotInKnownHostsIsRefused() throws Exception {
        File other = UserRepository.emptyBare();
        UserRepository.seeded(other, other.toURI().toString(), null);
        String otherServersKey = serve(other).knownHostsLine().substring(serve(other).knownHostsLine().indexOf(' ') + 1);
        String wrong = "[127.0.0.1]:" + serve(user.bare).url().replaceAll(".*:(\\d+)/.*", "$1") + " " + otherServersKey;
        String message = api().body(Map.of("repoUrl", serve(user.bare).url(), "branch", "main",
                        "credentials", Map.of("sshPrivateKey", pem(USER_KEY), "knownHosts", wrong)))
                .put("/api/v1/git-sync").then().statusCode(422).extract().jsonPath().getString("details.repoUrl");
        assertTrue(message.startsWith("cannot read the repository"), message);

        JsonPath ok = api().body(Map.of("repoUrl", serve(user.bare).url(), "branch", "main",
                        "credentials", Map.of("sshPrivateKey", pem(USER_KEY), "knownHosts", serve(user.bare).knownHostsLine())))
                .put("/api/v1/git-sync").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(serve(user.bare).knownHostsLine()), ok.getList("sshHostKeys"));
    }

    @Test
    void unusableCredentialsAreRefusedByField() throws Exception {
        String url = serve(user.bare).url();
        JsonPath notAKey = api().body(Map.of("repoUrl", url, "credentials", Map.of("sshPrivateKey", "ssh-rsa AAAA not a private key")))
                .put("/api/v1/git-sync").then().statusCode(422).extract().jsonPath();
        assertTrue(notAKey.getString("details.'credentials.sshPrivateKey'").contains("private key"));
        JsonPath tokenOverSsh = api().body(Map.of("repoUrl", url, "credentials", Map.of("token", "t0ken")))
                .put("/api/v1/git-sync").then().statusCode(422).extract().jsonPath();
        assertTrue(tokenOverSsh.getString("details.'credentials.token'").contains("SSH URL"));
        JsonPath keyOverHttps = api().body(Map.of("repoUrl", "https://example.com/acme/config.git",
                        "credentials", Map.of("sshPrivateKey", pem(USER_KEY))))
                .put("/api/v1/git-sync").then().statusCode(422).extract().jsonPath();
        assertTrue(keyOverHttps.getString("details.'credentials.sshPrivateKey'").contains("SSH URLs"));
        JsonPath secretInUrl = api().body(Map.of("repoUrl", "https://bot:ghp_secret@example.com/acme/config.git"))
                .put("/api/v1/git-sync").then().statusCode(422).extract().jsonPath();
        assertTrue(secretInUrl.getString("details.repoUrl").contains("credentials.token"));
        assertFalse(secretInUrl.prettify().contains("ghp_secret"), "the secret is not echoed");
    }

    private static KeyPair rsaKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64Body(KeyPair key) {
        return Base64.getEncoder().encodeToString(key.getPrivate().getEncoded()).substring(0, 40);
    }

    /** The private key as PKCS#8 PEM, the way {@code openssl genpkey} writes it. */
    private static String pem(KeyPair key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }
}
