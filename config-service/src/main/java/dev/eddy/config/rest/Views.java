package dev.eddy.config.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.config.domain.Destination;
import dev.eddy.config.domain.Model;
import dev.eddy.config.domain.RowCounts;
import dev.eddy.config.domain.Run;
import dev.eddy.config.domain.Source;
import dev.eddy.config.domain.Sync;
import dev.eddy.config.service.DestinationDetails;
import dev.eddy.config.service.ModelDetails;
import dev.eddy.config.service.SyncDetails;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.spec.SyncSpec;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/** The API's JSON shapes (Hightouch's public API v1 schemas); secrets are always masked. */
public final class Views {

    /** Eddy has one workspace. */
    static final String WORKSPACE_ID = "1";

    private Views() {
    }

    /** A list answer. */
    public record Page<T>(List<T> data) {
    }

    /** A trigger's answer: the run id. */
    public record TriggerOutput(String id) {
    }

    /** Hightouch's Source. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record SourceView(String id, String name, String slug, String workspaceId, String createdAt, String updatedAt,
                      String type, ObjectNode configuration) {
    }

    /** Hightouch's Destination. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record DestinationView(String id, String name, String slug, String workspaceId, String createdAt, String updatedAt,
                           String type, ObjectNode configuration, List<String> syncs) {
    }

    /** Hightouch's Model ({@code raw} or {@code table} as its query type says). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ModelView(String id, String name, String slug, String workspaceId, String primaryKey, String createdAt,
                     String updatedAt, String sourceId, String queryType, Map<String, String> tags,
                     @JsonProperty("isSchema") boolean isSchema, List<String> syncs,
                     @JsonInclude(JsonInclude.Include.NON_NULL) Raw raw,
                     @JsonInclude(JsonInclude.Include.NON_NULL) Table table,
                     @JsonInclude(JsonInclude.Include.NON_NULL) ObjectNode dbt) {
    }

    /** A raw SQL query. */
    public record Raw(String sql) {
    }

    /** A table query. */
    public record Table(String name) {
    }

    /**
     * Hightouch's Sync, plus {@code schedulePaused} (the name of Hightouch's newer API and Git Sync; the v1 Sync
     * schema allows additional properties).
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record SyncView(String id, String slug, String workspaceId, String createdAt, String updatedAt, String destinationId,
                    String modelId, ObjectNode configuration, ObjectNode schedule, String status, boolean disabled,
                    boolean schedulePaused, String lastRunAt, List<String> referencedColumns, String primaryKey) {
    }

    /** Hightouch's SyncRun; {@code error} (optional in the spec) is left out while there is none. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record SyncRunView(String id, String status, String createdAt, String startedAt, String finishedAt, long querySize,
                       RowCounts plannedRows, RowCounts successfulRows, RowCounts failedRows, double completionRatio,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String error) {
    }

    /** An API key as listed: never the key itself. */
    public record ApiKeyView(String id, String name, String createdAt,
                             @JsonInclude(JsonInclude.Include.NON_NULL) String revokedAt) {
    }

    /** A key just created: the only answer that ever holds the key. */
    public record CreatedApiKeyView(String id, String name, String createdAt, String key) {
    }

    public static SourceView source(Source s) {
        return new SourceView(id(s.id()), s.name(), s.slug(), WORKSPACE_ID, iso(s.createdAt()), iso(s.updatedAt()), s.type(),
                SecretBox.redacted(s.configuration()));
    }

    public static DestinationView destination(DestinationDetails d) {
        Destination x = d.destination();
        return new DestinationView(id(x.id()), x.name(), x.slug(), WORKSPACE_ID, iso(x.createdAt()), iso(x.updatedAt()), x.type(),
                SecretBox.redacted(x.configuration()), ids(d.syncIds()));
    }

    public static ModelView model(ModelDetails d) {
        Model m = d.model();
        return new ModelView(id(m.id()), m.name(), m.slug(), WORKSPACE_ID, m.primaryKey(), iso(m.createdAt()), iso(m.updatedAt()),
                id(m.sourceId()), m.queryType(), tags(m.tags()), false, ids(d.syncIds()),
                Model.RAW_SQL.equals(m.queryType()) ? new Raw(m.rawSql()) : null,
                Model.TABLE.equals(m.queryType()) ? new Table(m.tableName()) : null,
                Model.DBT_MODEL.equals(m.queryType()) ? m.dbt() : null);
    }

    public static SyncView sync(SyncDetails d) {
        Sync s = d.sync();
        // the model columns the sync reads, parsed the way every service parses a sync's configuration
        List<String> referenced = new SyncSpec(null, null, 0, null, null, null, s.configuration()).mappedColumns();
        return new SyncView(id(s.id()), s.slug(), WORKSPACE_ID, iso(s.createdAt()), iso(s.updatedAt()), id(s.destinationId()),
                id(s.modelId()), s.configuration(), schedule(s.schedule()), d.status(), s.disabled(), s.schedulePaused(),
                iso(d.lastRunAt()), referenced, d.model() == null ? null : d.model().primaryKey());
    }

    /** The dbt Cloud credential every dbt schedule names when none is given (see {@link #schedule}). */
    static final String DBT_CREDENTIAL_ID = "eddy-dbt-cloud-webhook";

    /**
     * The schedule as clients read it. A manual sync has no schedule, but Hightouch's clients parse
     * {@code schedule.schedule} as one of the spec's four shapes (prefect-hightouch raises on null, and on an empty
     * object, which its last candidate, DBTSchedule, cannot read): a manual sync answers an empty visual
     * recurrence, {@code {"expressions": []}}, which fires never and fits the spec's VisualCronSchedule. A dbt
     * schedule always shows a {@code dbtCredentialId}, which the spec's DBTSchedule requires: the one given, else
     * {@code "eddy-dbt-cloud-webhook"} (Eddy has one dbt Cloud credential, the webhook secret of the suite).
     */
    static ObjectNode schedule(ObjectNode stored) {
        if (stored != null && stored.path("type").asText("").toLowerCase(java.util.Locale.ROOT).startsWith("dbt")
                && stored.path("schedule").isObject() && !stored.path("schedule").hasNonNull("dbtCredentialId")) {
            ObjectNode dbt = stored.deepCopy();
            ((ObjectNode) dbt.get("schedule")).put("dbtCredentialId", DBT_CREDENTIAL_ID);
            return dbt;
        }
        if (stored == null || !"manual".equalsIgnoreCase(stored.path("type").asText("manual"))) {
            return stored;
        }
        ObjectNode manual = stored.deepCopy();
        manual.putObject("schedule").putArray("expressions");
        return manual;
    }

    public static SyncRunView run(Run r) {
        return new SyncRunView(id(r.id()), r.status(), iso(r.createdAt()), iso(r.startedAt()), iso(r.finishedAt()),
                r.querySize() == null ? 0 : r.querySize(), orZero(r.plannedRows()), orZero(r.successfulRows()),
                orZero(r.failedRows()), r.completionRatio() == null ? 0 : r.completionRatio(), r.error());
    }

    public static String iso(Instant instant) {
        return instant == null ? null : DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }

    private static Map<String, String> tags(ObjectNode tags) {
        Map<String, String> result = new java.util.TreeMap<>();
        if (tags != null) {
            tags.fields().forEachRemaining(t -> result.put(t.getKey(), t.getValue().asText()));
        }
        return result;
    }

    private static RowCounts orZero(RowCounts counts) {
        return counts == null ? RowCounts.ZERO : counts;
    }

    private static String id(long id) {
        return Long.toString(id);
    }

    private static List<String> ids(List<Long> ids) {
        return ids.stream().map(String::valueOf).toList();
    }
}
