package dev.eddy.contracts;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Numeric, time-ordered run ids that any service can allocate without coordination (Hightouch's ids are numeric
 * strings), small enough to be safe integers: at most 2^53 − 1, so JavaScript and Hightouch's generated SDKs (which
 * type {@code run_id} as a number) read them exactly.
 *
 * <p>An id is 41 bits of milliseconds since 2024-01-01 (enough until 2093) above 12 bits of node id:
 * {@code millis << 12 | node}. Why it is unique:
 * <ul>
 *   <li>within a process, ids are strictly increasing: each takes the current millisecond, or the last one's plus
 *       one when the clock has not moved on (or went back), so a burst of more than one id per millisecond borrows
 *       from the next milliseconds and never repeats one; the node bits are never touched;</li>
 *   <li>between processes, ids differ by node: {@code EDDY_NODE_ID} (system property {@code eddy.node-id}), 0-4095,
 *       given distinct to each instance, makes that certain (a StatefulSet ordinal, say); without it the node is
 *       random, and two of n processes share one with a probability of about n²/8192 (1 % for ten), and even then
 *       collide only if both allocate in the same millisecond.</li>
 * </ul>
 * Ids of different processes are ordered by their millisecond. Ids made before this scheme (up to 2^63, e.g.
 * {@code 122175963846533120}) stay valid: every id is parsed and stored as a 64-bit number; they are larger than the
 * new ones, so only an explicit {@code orderBy=id} across the change is out of time order.
 */
public final class RunIds {

    /** The largest id a JavaScript number holds exactly: 2^53 − 1. */
    public static final long MAX_SAFE = (1L << 53) - 1;
    static final long EPOCH = 1704067200000L; // 2024-01-01T00:00:00Z
    static final int NODE_BITS = 12;
    static final long NODE = node();
    private static final AtomicLong LAST_MILLIS = new AtomicLong();

    private RunIds() {
    }

    /** A new id, strictly increasing within this process and at most {@link #MAX_SAFE}. */
    public static String next() {
        return Long.toString(nextId());
    }

    static long nextId() {
        while (true) {
            long last = LAST_MILLIS.get();
            long now = System.currentTimeMillis() - EPOCH;
            long millis = now > last ? now : last + 1;
            if (LAST_MILLIS.compareAndSet(last, millis)) {
                return millis << NODE_BITS | NODE;
            }
        }
    }

    private static long node() {
        String configured = System.getProperty("eddy.node-id", System.getenv("EDDY_NODE_ID"));
        if (configured == null || configured.isBlank()) {
            return new SecureRandom().nextInt(1 << NODE_BITS);
        }
        long node = Long.parseLong(configured.strip());
        if (node < 0 || node >= 1 << NODE_BITS) {
            throw new IllegalArgumentException("EDDY_NODE_ID must be 0-" + ((1 << NODE_BITS) - 1) + ", not " + configured);
        }
        return node;
    }
}
