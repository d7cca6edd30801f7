package dev.eddy.contracts.source;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The rules for a DuckDB source's {@code configuration.path}, shared so that the API (which answers 422 on
 * it) and the extractor (which opens the file) agree: an absolute path to an existing, readable, regular
 * file. Eddy never creates a source file: a typo must be an error, not a new empty warehouse.
 */
public final class DuckDbSourcePath {

    /** The configuration field holding the path. */
    public static final String FIELD = "path";

    private DuckDbSourcePath() {
    }

    /** Why {@code path} cannot name a DuckDB source, or empty when it can. */
    public static Optional<String> problem(String path) {
        if (path == null || path.isBlank()) {
            return Optional.of("is required: the absolute path of the DuckDB database file");
        }
        if (path.indexOf(';') >= 0) {
            // the DuckDB JDBC URL reads ';' as the start of connection options
            return Optional.of("must not contain ';'");
        }
        Path file;
        try {
            file = Path.of(path);
        } catch (InvalidPathException e) {
            return Optional.of("is not a valid path: " + e.getReason());
        }
        if (!file.isAbsolute()) {
            return Optional.of("must be an absolute path (it is resolved on the hosts running Eddy): " + path);
        }
        if (!Files.exists(file)) {
            return Optional.of("no such file: " + path + " (Eddy does not create DuckDB files; create the database first)");
        }
        if (!Files.isRegularFile(file)) {
            return Optional.of("is not a regular file: " + path);
        }
        if (!Files.isReadable(file)) {
            return Optional.of("is not readable by Eddy: " + path);
        }
        return Optional.empty();
    }

    /** The path as DuckDB should open it (absolute, normalized, so one file is one DuckDB instance per process). */
    public static String normalized(String path) {
        return Path.of(path).normalize().toString();
    }
}
