package dev.eddy.contracts.destination;

import java.util.Locale;

/** How a sync writes records: insert new ones, update existing ones, upsert, or mirror the model. */
public enum SyncMode {
    INSERT, UPDATE, UPSERT, MIRROR;

    /** The mode named in a sync configuration ({@code insert}, {@code update}, {@code upsert}, {@code mirror}). */
    public static SyncMode fromName(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown sync mode '" + name + "'", e);
        }
    }
}
