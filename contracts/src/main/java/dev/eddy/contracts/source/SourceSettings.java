package dev.eddy.contracts.source;

import dev.eddy.contracts.validation.KnownKeys;

import java.util.Map;
import java.util.Optional;

/**
 * The configuration keys of each source type, as config-service's checks (and source test, previews) and the
 * extractor's dialects read them: the API refuses any other key, so a misspelt setting is not silently ignored.
 */
public final class SourceSettings {

    /** postgres: PostgreSQL's JDBC driver takes {@code sslmode} in lower case. */
    public static final KnownKeys POSTGRES = KnownKeys.of("host", "port", "database", "user", "password", "sslmode");
    /** mysql: Connector/J's {@code sslMode} ({@link MySqlConnection#SSL_MODES}). */
    public static final KnownKeys MYSQL = KnownKeys.of("host", "port", "database", "user", "password", "sslMode");
    /** duckdb: the database file ({@link DuckDbSourcePath}). */
    public static final KnownKeys DUCKDB = KnownKeys.of(DuckDbSourcePath.FIELD);

    private static final Map<String, KnownKeys> BY_TYPE = Map.of("postgres", POSTGRES, "mysql", MYSQL, "duckdb", DUCKDB);

    private SourceSettings() {
    }

    /** The keys of a source type's configuration; empty for a type Eddy does not know (its type is the problem). */
    public static Optional<KnownKeys> knownKeys(String type) {
        return Optional.ofNullable(type == null ? null : BY_TYPE.get(type));
    }
}
