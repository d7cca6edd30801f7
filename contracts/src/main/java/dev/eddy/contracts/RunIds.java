package dev.eddy.contracts;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Numeric, time-ordered run ids that any service can allocate without coordination
 * (Hightouch's ids are numeric strings): 41 bits of milliseconds since 2026-01-01, 10 bits of a
 * random per-process node id and 12 bits of a per-millisecond counter.
 */
public final class RunIds {
    private static final long EPOCH = 1767225600000L; // 2026-01-01T00:00:00Z
    private static final long NODE = new SecureRandom().nextInt(1024);
    private static final AtomicLong LAST = new AtomicLong();

    private RunIds() {
    }

    /** A new id, strictly increasing within this process. */
    public static String next() {
        while (true) {
            long last = LAST.get();
            long now = (System.currentTimeMillis() - EPOCH) << 22 | NODE << 12;
            long candidate = now > last ? now : last + 1;
            if (LAST.compareAndSet(last, candidate)) {
                return Long.toString(candidate);
            }
        }
    }
}
