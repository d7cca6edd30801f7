package dev.eddy.config.gitsync;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The working copy's own guard: a repository path that leaves the clone is refused and nothing is written there. */
class GitWorkingCopyPathTest {

    @Test
    void aPathLeavingTheWorkingCopyIsRefusedAndNothingIsWrittenOutside() throws Exception {
        File bare = UserRepository.emptyBare();
        UserRepository.seeded(bare, bare.toURI().toString(), null);
        Path parent = Files.createTempDirectory("eddy-wc-parent");
        Path dir = parent.resolve("clone");
        try (GitWorkingCopy wc = GitWorkingCopy.open(dir, bare.toURI().toString(), "main", t -> { })) {
            for (String escaping : new String[] {"eddy/models/../../../outside.yaml", "../outside.yaml", "/tmp/outside.yaml",
                    ".git/config", "eddy/../.git/hooks/post-commit"}) {
                assertThrows(IOException.class, () -> wc.write(escaping, "owned"), escaping);
                assertThrows(IOException.class, () -> wc.read(escaping), escaping);
            }
            assertFalse(Files.exists(parent.resolve("outside.yaml")));
            assertFalse(Files.exists(dir.resolve(".git/hooks/post-commit")));

            // a path inside still works
            wc.write("eddy/models/fine.yaml", "name: Fine\n");
            assertEquals("name: Fine\n", wc.read("eddy/models/fine.yaml"));
        }
    }
}
