package dev.eddy.config.service;

import dev.eddy.config.domain.Run;
import dev.eddy.config.store.CatalogStore;
import dev.eddy.config.store.Database;
import dev.eddy.config.store.RunStore;
import dev.eddy.contracts.avro.RunEvent;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Optional;

/** The runs of each sync: listed for the API, kept up to date from run events. */
@ApplicationScoped
public class RunHistory {

    /** How many runs one page holds at most. */
    public static final int MAX_LIMIT = 1000;

    private final Database db;
    private final CatalogStore catalog;
    private final RunStore runs;

    public RunHistory(Database db, CatalogStore catalog, RunStore runs) {
        this.db = db;
        this.catalog = catalog;
        this.runs = runs;
    }

    /** The sync's runs, newest first; {@code runId} (optional) narrows to one run. */
    public List<Run> list(String syncId, String runId, String limit, String offset) {
        long sync = Catalog.parseId("sync", syncId);
        FieldProblems p = new FieldProblems();
        Long run = null;
        if (runId != null && !runId.isBlank()) {
            if (runId.matches("\\d{1,18}")) {
                run = Long.parseLong(runId);
            } else {
                p.add("runId", "must be a run id (a numeric string)");
            }
        }
        int pageSize = number(p, "limit", limit, 100, 1, MAX_LIMIT);
        int skip = number(p, "offset", offset, 0, 0, Integer.MAX_VALUE);
        p.throwIfAny();
        Long filter = run;
        return db.inTransaction(c -> {
            catalog.findSync(c, sync).orElseThrow(() -> new UnknownObjectException("sync", syncId));
            return runs.list(c, sync, filter, pageSize, skip);
        });
    }

    /** The sync's runs that match the query (see {@link QueryParams#runs}). */
    public List<Run> list(String syncId, dev.eddy.config.store.RunQuery query) {
        long sync = Catalog.parseId("sync", syncId);
        return db.inTransaction(c -> {
            catalog.findSync(c, sync).orElseThrow(() -> new UnknownObjectException("sync", syncId));
            return runs.list(c, sync, query);
        });
    }

    /** Applies a run event idempotently: replaying it changes nothing. */
    public Run apply(RunEvent event) {
        long id = Long.parseLong(event.getRunId());
        return db.inTransaction(c -> {
            Optional<Run> existing = runs.lock(c, id);
            if (existing.isEmpty()) {
                Run created = RunEventMerge.merge(Optional.empty(), event);
                if (runs.insertIfAbsent(c, created)) {
                    return created;
                }
                // a trigger committed the run meanwhile: merge into it
                existing = runs.lock(c, id);
            }
            Run merged = RunEventMerge.merge(existing, event);
            if (!merged.equals(existing.get())) {
                runs.update(c, merged);
            }
            return merged;
        });
    }

    private static int number(FieldProblems p, String field, String value, int fallback, int min, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < min || n > max) {
                p.add(field, "must be between " + min + " and " + max);
                return fallback;
            }
            return n;
        } catch (NumberFormatException e) {
            p.add(field, "must be a whole number");
            return fallback;
        }
    }
}
