package dev.eddy.contracts.source;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The source types warehouse sync logs ({@code configuration.warehouseSyncLogs} of a sync) can be written to,
 * shared so that the API refuses the opt-in exactly where the extractor could not write the logs.
 */
public final class SyncLogSources {

    /** Sorted, so messages list them in a stable order. */
    public static final Set<String> TYPES = Collections.unmodifiableSortedSet(new TreeSet<>(Set.of("postgres", "mysql", "duckdb")));

    /** The tables a sync can ask for: the keys of {@code configuration.warehouseSyncLogs}. */
    public static final List<String> TABLES = List.of("changelog", "snapshot", "runs");

    private SyncLogSources() {
    }

    public static boolean supports(String sourceType) {
        return sourceType != null && TYPES.contains(sourceType);
    }
}
