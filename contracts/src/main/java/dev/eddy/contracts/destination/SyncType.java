package dev.eddy.contracts.destination;

import java.util.Locale;

/**
 * What a sync sends: {@code object} records keyed by the primary key (modes and delete behaviour apply), or
 * {@code event}s (each added row is sent once; changes and removals are never sent).
 */
public enum SyncType {
    OBJECT, EVENT;

    /** The type named in a sync configuration ({@code object}, {@code event}). */
    public static SyncType fromName(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown sync type '" + name + "' (object or event)", e);
        }
    }
}
