package dev.eddy.config.domain;

import java.time.Instant;

/** A query on a source with a primary key: {@code raw_sql} ({@code rawSql}) or {@code table} ({@code tableName}). */
public record Model(long id, String name, String slug, long sourceId, String queryType, String rawSql,
                    String tableName, String primaryKey, Instant createdAt, Instant updatedAt) {

    public static final String RAW_SQL = "raw_sql";
    public static final String TABLE = "table";

    /** The SQL the extractor runs. */
    public String sql() {
        return TABLE.equals(queryType) ? "SELECT * FROM " + tableName : rawSql;
    }
}
