package dev.eddy.config.gitsync;

import java.time.Instant;

/** A model as Git Sync sees it: Hightouch's file fields, the source named by slug; {@code updatedAt} is the API's last change. */
public record ModelDocument(String slug, String name, String source, String type, String rawSql, String tableName,
                            String dbtModel, String primaryKey, Instant updatedAt) {
}
