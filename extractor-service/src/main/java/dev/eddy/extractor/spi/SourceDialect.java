package dev.eddy.extractor.spi;

import java.sql.Connection;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How Eddy reads one type of source (a warehouse), through JDBC.
 *
 * <p>Lifecycle of one extraction, driven by the extractor:
 * <ol>
 *   <li>{@link #connect} opens a connection from the source's configuration, whose secrets the extractor
 *       has already opened; the dialect must never log or keep them.</li>
 *   <li>The extractor makes the connection stream: auto-commit off, read-only, a forward-only statement
 *       with a fetch size, running {@link #prepareSql(String) the prepared model SQL}.</li>
 *   <li>{@link #checkQuery} may refuse the prepared SQL before it runs.</li>
 *   <li>{@link #reader} is asked once per result column; each row is then read through those readers.</li>
 *   <li>The extractor rolls back and closes the connection.</li>
 * </ol>
 * One instance serves every run, concurrently: implementations keep no per-run state.
 */
public interface SourceDialect {

    /** The source type this dialect reads, as in a source's {@code type} ({@code postgres}, ...). */
    String type();

    /**
     * Opens a connection.
     *
     * @param configuration the source's configuration with secrets opened (plaintext)
     * @param timeout       how long connecting may take
     * @throws SourceConfigurationException when a required setting is missing or invalid
     * @throws SourceUnreachableException   when the source cannot be reached or refuses the login
     */
    Connection connect(Map<String, String> configuration, Duration timeout)
            throws SourceConfigurationException, SourceUnreachableException;

    /**
     * Opens a connection that may write: the warehouse sync logs ({@code eddy_audit}) are written through
     * it. By default the same as {@link #connect}; a dialect whose {@link #connect} opens the source read-only
     * (an embedded file) opens it for writing here, and must keep it open no longer than the caller does.
     *
     * @throws SourceConfigurationException when a required setting is missing or invalid
     * @throws SourceUnreachableException   when the source cannot be reached, refuses the login, or is locked
     */
    default Connection connectForWriting(Map<String, String> configuration, Duration timeout)
            throws SourceConfigurationException, SourceUnreachableException {
        return connect(configuration, timeout);
    }

    /**
     * Why the model SQL cannot run on this source, or empty when it can; checked before connecting. A source
     * whose driver runs several statements from one query says so here: a model is one statement, or it could end
     * the read-only transaction it runs in.
     */
    default Optional<String> sqlProblem(String sql) {
        return Optional.empty();
    }

    /** The model SQL as the source should run it; by default without trailing semicolons. */
    default String prepareSql(String sql) {
        String trimmed = sql.strip();
        while (trimmed.endsWith(";")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1).stripTrailing();
        }
        return trimmed;
    }

    /**
     * Refuses SQL the dialect must not run as a model, on the connection that will run it; by default accepts all
     * (the extractor's read-only transaction protects the warehouse). A dialect whose connections may write checks
     * here that the model is one read-only query.
     *
     * @throws SQLException when the SQL is refused; the run fails with the message as a query failure
     */
    default void checkQuery(Connection connection, String sql) throws SQLException {
    }

    /**
     * The reader of one result column (1-based), chosen once per result; it returns the value types
     * listed on {@link ColumnReader}.
     */
    default ColumnReader reader(ResultSetMetaData metadata, int column) throws SQLException {
        return StandardColumnReaders.forColumn(metadata, column);
    }
}
