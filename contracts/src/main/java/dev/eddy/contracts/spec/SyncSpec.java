package dev.eddy.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.destination.DeliveryOptions;
import dev.eddy.contracts.source.SyncLogSources;
import dev.eddy.contracts.validation.KnownKeys;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything one run of a sync needs, resolved by config-service at trigger time and carried on every
 * event of the run (as JSON in the Avro records' {@code specJson}), so a run is reproducible from its
 * request. Secret fields of the source and destination configurations are sealed
 * ({@link dev.eddy.contracts.secrets.SecretBox}), never plaintext.
 *
 * @param configuration the sync's configuration as the API holds it: {@code mode}, {@code deleteBehavior},
 *                      {@code mappings}, {@code type}, {@code externalIdMapping}, batching and retry settings
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SyncSpec(String syncId, String syncSlug, long configVersion, Model model,
                       Connection source, Connection destination, ObjectNode configuration) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The model: its SQL (already resolved for table and dbt models) and primary key column. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Model(String id, String name, String slug, String primaryKey, String sql) {
    }

    /** A source or destination: its type and configuration (secrets sealed). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Connection(String id, String slug, String type, ObjectNode configuration) {
    }

    /**
     * The keys of a sync's configuration: delivery's settings ({@link DeliveryOptions#KNOWN_KEYS}), {@code mappings}
     * (each {@link Mapping#KNOWN_KEYS}) and {@code warehouseSyncLogs}. Keys Hightouch writes into a sync's
     * configuration and Eddy does not use ({@code configVersion}, {@code customMappings}, {@code aliasMappings}, and
     * {@code object}, the record type of Hightouch's CRM destinations) are tolerated, so a configuration copied from
     * Hightouch (API or Git Sync file) is accepted.
     */
    public static final KnownKeys CONFIGURATION_KEYS = DeliveryOptions.KNOWN_KEYS
            .withEach("mappings", Mapping.KNOWN_KEYS)
            .with("warehouseSyncLogs", KnownKeys.of(SyncLogSources.TABLES))
            .tolerating("configVersion", "customMappings", "aliasMappings", "object");

    /** One field mapping: {@code standard} (from a column), {@code static}, {@code variable} or {@code template}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Mapping(String from, String to, String type, JsonNode value, String variable, String template) {

        /** The record's components: the keys a mapping may hold. */
        public static final KnownKeys KNOWN_KEYS = KnownKeys.of(
                java.util.Arrays.stream(Mapping.class.getRecordComponents()).map(java.lang.reflect.RecordComponent::getName).toList());

        public String typeOrDefault() {
            return type == null || type.isBlank() ? "standard" : type;
        }
    }

    /** insert | update | upsert (default upsert). */
    @JsonIgnore
    public String mode() {
        return text("mode", "upsert");
    }

    /** do_nothing | clear_fields | delete (default do_nothing: Eddy never deletes unless told to). */
    @JsonIgnore
    public String deleteBehavior() {
        return text("deleteBehavior", "do_nothing");
    }

    /** object | event (default object). */
    @JsonIgnore
    public String syncType() {
        return text("type", "object");
    }

    @JsonIgnore
    public List<Mapping> mappings() {
        List<Mapping> result = new ArrayList<>();
        JsonNode node = configuration == null ? null : configuration.get("mappings");
        if (node != null && node.isArray()) {
            for (JsonNode m : node) {
                result.add(JSON.convertValue(m, Mapping.class));
            }
        }
        return result;
    }

    /**
     * The model columns the sync sends, in mapping order; empty when the sync sends the whole row
     * (no explicit mappings), in which case every column counts for change detection.
     */
    @JsonIgnore
    public List<String> mappedColumns() {
        List<String> columns = new ArrayList<>();
        for (Mapping m : mappings()) {
            if ("standard".equals(m.typeOrDefault()) && m.from() != null && !columns.contains(m.from())) {
                columns.add(m.from());
            }
        }
        return columns;
    }

    private String text(String field, String fallback) {
        JsonNode node = configuration == null ? null : configuration.get(field);
        return node == null || node.isNull() || node.asText().isBlank() ? fallback : node.asText();
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a sync spec cannot be written as JSON", e);
        }
    }

    public static SyncSpec fromJson(String json) {
        try {
            return JSON.readValue(json, SyncSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a sync spec: " + e.getOriginalMessage(), e);
        }
    }
}
