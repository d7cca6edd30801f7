package dev.eddy.contracts.source;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DuckDbSourcePathTest {

    @TempDir
    Path dir;

    @Test
    void anExistingAbsoluteFileIsAccepted() throws Exception {
        Path file = Files.createFile(dir.resolve("warehouse.duckdb"));
        assertEquals(Optional.empty(), DuckDbSourcePath.problem(file.toString()));
    }

    @Test
    void aMissingRelativeDirectoryOrBlankPathIsRefusedWithItsReason() {
        assertTrue(DuckDbSourcePath.problem(dir.resolve("typo.duckdb").toString()).orElseThrow().startsWith("no such file"));
        assertTrue(DuckDbSourcePath.problem("warehouse.duckdb").orElseThrow().startsWith("must be an absolute path"));
        assertTrue(DuckDbSourcePath.problem(dir.toString()).orElseThrow().startsWith("is not a regular file"));
        assertTrue(DuckDbSourcePath.problem(" ").orElseThrow().startsWith("is required"));
        assertTrue(DuckDbSourcePath.problem(null).orElseThrow().startsWith("is required"));
        assertEquals("must not contain ';'", DuckDbSourcePath.problem(dir + "/a.duckdb;access_mode=READ_WRITE").orElseThrow());
    }

    @Test
    void theOpenedPathIsNormalizedSoOneFileIsOneInstance() {
        assertEquals("/data/warehouse.duckdb", DuckDbSourcePath.normalized("/data/./lake/../warehouse.duckdb"));
    }
}
