package dev.eddy.config.store;

import java.time.Instant;

/**
 * Filters, order and page of a list; null fields do not filter. {@code after}/{@code before} select syncs
 * with a run started (or, not yet started, created) in that window; {@code orderBy} is an API field name.
 */
public record ListQuery(String slug, String name, Long modelId, Instant after, Instant before, int limit, int offset,
                        String orderBy) {

    /** Hightouch's default page size for lists. */
    public static final int DEFAULT_LIMIT = 100;

    public static ListQuery of(String slug, String name) {
        return new ListQuery(slug, name, null, null, null, Integer.MAX_VALUE, 0, "id");
    }
}
