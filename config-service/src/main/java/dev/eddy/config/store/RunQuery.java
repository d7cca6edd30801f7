package dev.eddy.config.store;

import java.time.Instant;

/**
 * Filters and page of a sync's runs, newest first by {@code orderBy} ({@code id}, {@code createdAt},
 * {@code startedAt}, {@code finishedAt}); {@code after}/{@code before} compare when the run started, or
 * was created while it has not started (so a queued run is listed from the instant it is triggered).
 */
public record RunQuery(Long runId, Instant after, Instant before, int limit, int offset, String orderBy) {
}
