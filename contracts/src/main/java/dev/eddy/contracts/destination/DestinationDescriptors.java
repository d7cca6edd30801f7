package dev.eddy.contracts.destination;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/** Every destination type Eddy can deliver to, by name. */
public final class DestinationDescriptors {

    private static final Map<String, DestinationDescriptor> BY_TYPE = Map.of(
            WebhookDescriptor.TYPE, WebhookDescriptor.INSTANCE,
            HttpRequestDescriptor.TYPE, HttpRequestDescriptor.INSTANCE,
            PostgresDescriptor.TYPE, PostgresDescriptor.INSTANCE,
            KafkaTopicDescriptor.TYPE, KafkaTopicDescriptor.INSTANCE);
    private static final SortedSet<String> TYPES = Collections.unmodifiableSortedSet(new TreeSet<>(BY_TYPE.keySet()));

    private DestinationDescriptors() {
    }

    public static Optional<DestinationDescriptor> find(String type) {
        return Optional.ofNullable(type).map(BY_TYPE::get);
    }

    /** The destination types, sorted (so messages list them in a stable order). */
    public static SortedSet<String> types() {
        return TYPES;
    }
}
