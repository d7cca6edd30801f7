package dev.eddy.delivery.service;

import dev.eddy.contracts.destination.SyncType;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.delivery.mapping.FieldMapper;
import dev.eddy.delivery.mapping.RowDataException;
import dev.eddy.delivery.retry.RetryPolicy;
import dev.eddy.delivery.spi.ConnectorContext;
import dev.eddy.delivery.spi.DeliveryRow;
import dev.eddy.delivery.spi.DeliverySettings;
import dev.eddy.delivery.spi.DestinationConnector;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How one run (or one test row) of a sync is delivered: a fresh, not yet opened connector, the context to open
 * it with, the field mapper, the slice size and the retry policy, all resolved from the run's {@link SyncSpec}.
 */
public record DeliveryPlan(SyncSpec spec, DestinationConnector connector, ConnectorContext context, FieldMapper mapper,
                           int sliceSize, RetryPolicy retryPolicy) {

    public DeliverySettings settings() {
        return context.settings();
    }

    /**
     * The row the connector receives for a change, or null when the sync does not send it (an event sync sends
     * added rows only). The record-matching field ({@code externalIdMapping}) is added when the mappings do not
     * already set it; a removed row under {@code clear_fields} carries every mapped field set to null.
     *
     * <p>Under {@code clear_fields} the diff sends a row that left the model as {@code changed}, its data nothing but
     * the primary key column and nulls (one for each mapped column). Such a row is marked
     * {@link DeliveryRow#clears()}, so a connector that can tell clearing from writing clears the existing record
     * instead of writing one. A real change that nulls every other column looks the same; for an existing record
     * clearing it is the same write.
     */
    public DeliveryRow row(DeliveryRow.Operation op, String primaryKey, String dataJson) throws RowDataException {
        DeliverySettings settings = settings();
        if (settings.type() == SyncType.EVENT && op != DeliveryRow.Operation.ADDED) {
            return null;
        }
        if (op == DeliveryRow.Operation.REMOVED) {
            return new DeliveryRow(op, primaryKey, settings.clearsFields() ? mapper.clearedFields() : Map.of());
        }
        Map<String, Object> data = FieldMapper.parse(dataJson);
        Map<String, Object> fields = mapper.mapData(data);
        if (settings.externalId().isPresent()) {
            DeliverySettings.ExternalId id = settings.externalId().get();
            if (id.from() != null && id.to() != null && !fields.containsKey(id.to())) {
                fields = new LinkedHashMap<>(fields);
                fields.put(id.to(), data.get(id.from()));
            }
        }
        boolean clears = op == DeliveryRow.Operation.CHANGED && settings.clearsFields()
                && isClearing(data, settings.primaryKeyColumn());
        return new DeliveryRow(op, primaryKey, fields, clears);
    }

    /** The shape of a cleared row's data: the primary key column and nothing but nulls besides. */
    private static boolean isClearing(Map<String, Object> data, String primaryKeyColumn) {
        if (primaryKeyColumn == null || !data.containsKey(primaryKeyColumn) || data.size() < 2) {
            return false;
        }
        for (Map.Entry<String, Object> column : data.entrySet()) {
            if (column.getValue() != null && !column.getKey().equals(primaryKeyColumn)) {
                return false;
            }
        }
        return true;
    }
}
