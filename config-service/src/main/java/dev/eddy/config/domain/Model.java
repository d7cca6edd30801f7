package dev.eddy.config.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * A query on a source with a primary key: {@code raw_sql} ({@code rawSql}), {@code table} ({@code tableName})
 * or {@code dbt_model} ({@code dbt}: Hightouch's dbt object, resolved from an uploaded manifest).
 */
public record Model(long id, String name, String slug, long sourceId, String queryType, String rawSql,
                    String tableName, ObjectNode dbt, String primaryKey, ObjectNode tags,
                    Instant createdAt, Instant updatedAt) {

    public static final String RAW_SQL = "raw_sql";
    public static final String TABLE = "table";
    public static final String DBT_MODEL = "dbt_model";

    /** The SQL the extractor runs. */
    public String sql() {
        if (TABLE.equals(queryType)) {
            return "SELECT * FROM " + tableName;
        }
        if (DBT_MODEL.equals(queryType)) {
            JsonNode compiled = dbt == null ? null : dbt.get("compiledSql");
            return compiled == null ? null : compiled.asText();
        }
        return rawSql;
    }
}
