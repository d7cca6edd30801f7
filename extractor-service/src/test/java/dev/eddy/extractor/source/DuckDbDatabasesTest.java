package dev.eddy.extractor.source;

import dev.eddy.contracts.source.DuckDbLocks;
import dev.eddy.extractor.spi.SourceUnreachableException;
import dev.eddy.testsupport.DuckDbLockHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared, reference-counted DuckDB instances, on real DuckDB files and a real second process. */
class DuckDbDatabasesTest {

    @TempDir
    Path dir;
    private final DuckDbDatabases databases = new DuckDbDatabases();

    @Test
    void readersAndAWriterShareOneInstanceAndTheLastCloseReleasesTheFile() throws Exception {
        Path file = warehouse();
        try (Connection reader = databases.connect(file.toString(), false, Duration.ofSeconds(10));
             Connection writer = databases.connect(file.toString(), true, Duration.ofSeconds(10))) {
            // the same file spelled differently is the same instance
            try (Connection other = databases.connect(dir + "/./" + file.getFileName(), false, Duration.ofSeconds(10))) {
                assertEquals(3, databases.references(file.toString()));
            }
            try (Statement s = writer.createStatement()) {
                s.execute("INSERT INTO people VALUES (2)");
            }
            try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM people")) {
                rs.next();
                assertEquals(2, rs.getLong(1), "the reader sees the writer's row: one instance");
            }
            reader.setReadOnly(true);
            assertTrue(reader.isReadOnly());
        }
        assertEquals(0, databases.references(file.toString()));
        try (DuckDbLockHolder other = DuckDbLockHolder.start(file.toString())) {
            assertEquals("locked", other.status, "no connection open: the file is closed");
        }
    }

    @Test
    void writesAreSerialisedAndASecondWriterWaitsForTheFirst() throws Exception {
        Path file = warehouse();
        Connection first = databases.connect(file.toString(), true, Duration.ofSeconds(10));
        SourceUnreachableException waited = assertThrows(SourceUnreachableException.class,
                () -> databases.connect(file.toString(), true, Duration.ofMillis(200)));
        assertTrue(waited.getMessage().contains("being written"), waited.getMessage());
        try (Connection reader = databases.connect(file.toString(), false, Duration.ofMillis(200))) {
            assertTrue(reader.isValid(5), "readers do not wait for the writer");
        }
        first.close();
        first.close();
        assertEquals(0, databases.references(file.toString()), "closing twice releases once");
        try (Connection second = databases.connect(file.toString(), true, Duration.ofMillis(200))) {
            assertTrue(second.isValid(5), "the permit came back with the first writer's close");
        }
    }

    @Test
    void aFileHeldByAnotherProcessFailsAfterTheTimeoutNamingTheHolder() throws Exception {
        Path file = warehouse();
        try (DuckDbLockHolder other = DuckDbLockHolder.start(file.toString())) {
            assertEquals("locked", other.status);
            SourceUnreachableException e = assertThrows(SourceUnreachableException.class,
                    () -> databases.connect(file.toString(), true, Duration.ofMillis(300)));
            assertTrue(e.getMessage().contains("is locked by process "), e.getMessage());
            assertTrue(e.getMessage().contains("stayed locked for 300 ms"), e.getMessage());
        }
        assertEquals(0, databases.references(file.toString()));
        try (Connection again = databases.connect(file.toString(), true, Duration.ofSeconds(10))) {
            assertTrue(again.isValid(5), "a failed open leaves nothing behind; the permit was returned");
        }
    }

    @Test
    void theHolderIsNamedFromDuckDbsMessage() {
        assertEquals("process 4242 (/usr/bin/duckdb, user ann)", DuckDbLocks.holder(
                "IO Error: Could not set lock on file \"/w.duckdb\": Conflicting lock is held in /usr/bin/duckdb (PID 4242) by user ann. See also"));
        assertEquals("another process or connection", DuckDbLocks.holder("IO Error: Could not set lock on file"));
    }

    private Path warehouse() throws Exception {
        Path file = Files.createTempFile(dir, "warehouse", ".duckdb");
        Files.delete(file);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE people (id INTEGER)");
            s.execute("INSERT INTO people VALUES (1)");
        }
        return file;
    }
}
