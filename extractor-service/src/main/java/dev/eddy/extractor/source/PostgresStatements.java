package dev.eddy.extractor.source;

import org.postgresql.core.NativeQuery;
import org.postgresql.core.Parser;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * How many statements pgjdbc would run for a model's SQL, counted by pgjdbc's own parser (quotes, dollar quotes and
 * comments as the driver reads them). pgjdbc runs each; a second statement could end the model's read-only
 * transaction ({@code COMMIT; SET default_transaction_read_only = off; ...}), so a model is one statement.
 */
final class PostgresStatements {

    private PostgresStatements() {
    }

    /** Why the SQL is not one statement, or empty when it is. */
    static Optional<String> problem(String sql) {
        try {
            List<NativeQuery> queries = Parser.parseJdbcSql(sql, true, false, true, false, true);
            long statements = queries.stream().filter(q -> !q.nativeSql.isBlank()).count();
            return statements <= 1 ? Optional.empty()
                    : Optional.of("a model is one SQL statement; this one has " + statements + " (separated by ';')");
        } catch (SQLException e) {
            // the server reports malformed SQL with a better message
            return Optional.empty();
        }
    }
}
