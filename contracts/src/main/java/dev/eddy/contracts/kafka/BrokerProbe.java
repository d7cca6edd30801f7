package dev.eddy.contracts.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tells whether the Kafka broker answers, for readiness checks: a {@code describeCluster} with a short timeout, its
 * answer kept for a moment so frequent health checks do not each ask. A consumer's poll returns nothing, not an
 * error, while the broker is gone; this is how a service notices.
 * <p>
 * One probe per bootstrap address is shared by every {@link ConsumerLoop} of the JVM ({@link #acquire}); the last
 * {@link #release} closes its admin client.
 */
public final class BrokerProbe {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerProbe.class);
    private static final Map<String, BrokerProbe> SHARED = new HashMap<>();

    private final String bootstrapServers;
    private final Admin admin;
    private final Duration timeout;
    private final Duration maxAge;
    private final Clock clock;
    private int users;
    private Instant checkedAt;
    private boolean reachable;

    /**
     * @param timeout how long one look may take before the broker counts as unreachable
     * @param maxAge  how long an answer is reused
     */
    public BrokerProbe(String bootstrapServers, Duration timeout, Duration maxAge, Clock clock) {
        this.bootstrapServers = bootstrapServers;
        Map<String, Object> settings = KafkaSettings.admin(bootstrapServers, "eddy-broker-probe");
        settings.put("request.timeout.ms", (int) timeout.toMillis());
        settings.put("default.api.timeout.ms", (int) timeout.toMillis());
        this.admin = Admin.create(settings);
        this.timeout = timeout;
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** The shared probe of this bootstrap address (2 s per look, answers kept 1 s); {@link #release} it when done. */
    public static synchronized BrokerProbe acquire(String bootstrapServers) {
        BrokerProbe probe = SHARED.computeIfAbsent(bootstrapServers,
                servers -> new BrokerProbe(servers, Duration.ofSeconds(2), Duration.ofSeconds(1), Clock.systemUTC()));
        probe.users++;
        return probe;
    }

    /** Gives back a probe from {@link #acquire}; the last user closes it. */
    public static synchronized void release(BrokerProbe probe) {
        if (--probe.users <= 0 && SHARED.remove(probe.bootstrapServers, probe)) {
            probe.close();
        }
    }

    /** True when the broker answered a look at most {@code maxAge} ago, looking again when the answer is older. */
    public synchronized boolean reachable() {
        Instant now = clock.instant();
        if (checkedAt != null && Duration.between(checkedAt, now).compareTo(maxAge) < 0) {
            return reachable;
        }
        boolean answer = look();
        if (answer != reachable) {
            LOG.info("Kafka broker {} is {}", bootstrapServers, answer ? "reachable again" : "unreachable");
        }
        reachable = answer;
        checkedAt = clock.instant();
        return reachable;
    }

    private boolean look() {
        try {
            return !admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .nodes().get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS).isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** Closes the admin client. */
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
