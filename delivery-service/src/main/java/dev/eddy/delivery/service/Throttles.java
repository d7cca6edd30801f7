package dev.eddy.delivery.service;

import dev.eddy.contracts.destination.RateLimit;
import dev.eddy.delivery.spi.RequestThrottle;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One request throttle per sync, so a sync's rate limit holds across its batches and runs; a changed limit
 * replaces the throttle. Only the most recently used syncs are kept.
 */
@ApplicationScoped
public class Throttles {

    private static final int MAX_SYNCS = 10_000;

    private final Clock clock;
    private final Map<String, RequestThrottle> throttles = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RequestThrottle> eldest) {
            return size() > MAX_SYNCS;
        }
    };

    public Throttles(Clock clock) {
        this.clock = clock;
    }

    public synchronized RequestThrottle forSync(String syncId, RateLimit limit) {
        if (limit.isUnlimited()) {
            return RequestThrottle.unlimited();
        }
        RequestThrottle current = throttles.get(syncId);
        if (current == null || !current.limit().equals(limit)) {
            current = new RequestThrottle(limit, clock, d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000));
            throttles.put(syncId, current);
        }
        return current;
    }
}
