package dev.eddy.config.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.config.domain.Destination;
import dev.eddy.config.domain.Model;
import dev.eddy.config.domain.Source;
import dev.eddy.config.domain.Sync;
import dev.eddy.contracts.spec.SyncSpec;

import java.time.Instant;
import java.util.stream.Stream;

/** Resolves a sync and the objects it names into the {@link SyncSpec} its runs carry (secrets stay sealed). */
public final class SyncSpecs {

    private SyncSpecs() {
    }

    /**
     * The spec; its {@code configVersion} is the newest {@code updatedAt} (epoch millis) of the four objects,
     * so it grows with every change to any of them.
     */
    public static SyncSpec resolve(Sync sync, Model model, Source source, Destination destination) {
        long version = Stream.of(sync.updatedAt(), model.updatedAt(), source.updatedAt(), destination.updatedAt())
                .mapToLong(Instant::toEpochMilli).max().orElse(0);
        return new SyncSpec(Long.toString(sync.id()), sync.slug(), version,
                new SyncSpec.Model(Long.toString(model.id()), model.name(), model.slug(), model.primaryKey(), model.sql()),
                new SyncSpec.Connection(Long.toString(source.id()), source.slug(), source.type(), copy(source.configuration())),
                new SyncSpec.Connection(Long.toString(destination.id()), destination.slug(), destination.type(), copy(destination.configuration())),
                copy(sync.configuration()));
    }

    private static ObjectNode copy(ObjectNode node) {
        return node == null ? null : node.deepCopy();
    }
}
