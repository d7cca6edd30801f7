package dev.eddy.delivery.spi;

import java.util.Map;

/**
 * One changed row as a connector receives it: its operation, its primary key (canonical text) and its
 * mapped fields (destination field name to value; empty for a removed row).
 *
 * @param clears true when the row asks the destination to clear the record's mapped fields (a row that left the
 *               model under {@code deleteBehavior: clear_fields}, sent as {@code changed} with its mapped fields
 *               null): a connector that can tell clearing from writing (postgres) updates the existing record only
 */
public record DeliveryRow(Operation op, String primaryKey, Map<String, Object> fields, boolean clears) {

    public DeliveryRow(Operation op, String primaryKey, Map<String, Object> fields) {
        this(op, primaryKey, fields, false);
    }

    /** What happened to the row since the last successful run. */
    public enum Operation {
        ADDED("added"), CHANGED("changed"), REMOVED("removed");

        private final String wireName;

        Operation(String wireName) {
            this.wireName = wireName;
        }

        /** The lower-case name destinations see ({@code added}, {@code changed}, {@code removed}). */
        public String wireName() {
            return wireName;
        }
    }
}
