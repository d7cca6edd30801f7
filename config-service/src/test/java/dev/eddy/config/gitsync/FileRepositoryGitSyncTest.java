package dev.eddy.config.gitsync;

import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import java.io.File;
import java.util.Map;

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
}
