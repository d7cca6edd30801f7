package dev.eddy.delivery.spi;

import dev.eddy.contracts.destination.SyncType;

import java.util.List;
import java.util.Optional;

/**
 * The parts of a sync's configuration a connector acts on.
 *
 * @param type             object or event
 * @param deleteBehavior   do_nothing | clear_fields | delete
 * @param externalId       the record-matching mapping, when the sync sets one (or the connector needs one)
 * @param mappedFields     the destination fields the sync maps (top-level names), empty when it sends whole rows
 * @param modelName        the model's name (for variables and templates)
 * @param concurrency      how many requests a connector may have in flight at once for this sync
 * @param throttle         the sync's rate limit, shared by its writes
 * @param primaryKeyColumn the model's primary key column (what a removed row's primary key is a value of); may be null
 */
public record DeliverySettings(SyncType type, String deleteBehavior, Optional<ExternalId> externalId,
                               List<String> mappedFields, String modelName, int concurrency, RequestThrottle throttle,
                               String primaryKeyColumn) {

    /** {@code externalIdMapping}: the model column {@code from} and destination field {@code to} identifying a record. */
    public record ExternalId(String from, String to, String type) {
    }

    /** Settings without a known primary key column (tests, tools). */
    public DeliverySettings(SyncType type, String deleteBehavior, Optional<ExternalId> externalId, List<String> mappedFields,
                            String modelName, int concurrency, RequestThrottle throttle) {
        this(type, deleteBehavior, externalId, mappedFields, modelName, concurrency, throttle, null);
    }

    /** Defaults for a connector used outside a sync (tests, tools). */
    public static DeliverySettings defaults() {
        return new DeliverySettings(SyncType.OBJECT, "do_nothing", Optional.empty(), List.of(), null, 1,
                RequestThrottle.unlimited(), null);
    }

    public boolean deletes() {
        return "delete".equals(deleteBehavior);
    }

    public boolean clearsFields() {
        return "clear_fields".equals(deleteBehavior);
    }
}
