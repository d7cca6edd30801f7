package dev.eddy.contracts.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes sure topics exist with the settings they need, on any broker: a missing topic is created (partitions and
 * replication from the broker's defaults, required settings set); an existing one whose required settings differ
 * (e.g. the config topic auto-created by a consumer, so not compacted) has them set. Topics created elsewhere with
 * more partitions are left as they are.
 */
public final class TopicSetup {

    /** What {@link #ensure} changed. */
    public record Outcome(List<String> created, List<String> altered) {
    }

    private TopicSetup() {
    }

    /**
     * @param required settings by topic; topics without an entry only have to exist
     * @throws IllegalStateException naming the topic when the broker does not answer within {@code timeout} or refuses
     */
    public static Outcome ensure(Admin admin, Collection<String> topics, Map<String, Map<String, String>> required,
                                 Duration timeout) {
        List<String> created = new ArrayList<>();
        List<String> altered = new ArrayList<>();
        try {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            for (String topic : topics) {
                Map<String, String> settings = required.getOrDefault(topic, Map.of());
                if (!existing.contains(topic) && create(admin, topic, settings, timeout)) {
                    created.add(topic);
                } else if (!settings.isEmpty() && alignSettings(admin, topic, settings, timeout)) {
                    altered.add(topic);
                }
            }
            return new Outcome(created, altered);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up the topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the Kafka broker did not answer within " + timeout + " while the topics were set up", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the Kafka broker refused to list the topics: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Creates the topic; false when another client created it first. */
    private static boolean create(Admin admin, String topic, Map<String, String> settings, Duration timeout)
            throws InterruptedException, TimeoutException {
        try {
            admin.createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty()).configs(settings)))
                    .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw new IllegalStateException("topic " + topic + " cannot be created: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Sets the required settings the topic lacks; true when it changed anything. */
    private static boolean alignSettings(Admin admin, String topic, Map<String, String> settings, Duration timeout)
            throws InterruptedException, TimeoutException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Config current = admin.describeConfigs(List.of(resource)).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(resource);
            List<AlterConfigOp> changes = new ArrayList<>();
            settings.forEach((key, value) -> {
                ConfigEntry entry = current.get(key);
                if (entry == null || !value.equals(entry.value())) {
                    changes.add(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET));
                }
            });
            if (changes.isEmpty()) {
                return false;
            }
            Map<ConfigResource, Collection<AlterConfigOp>> alter = new HashMap<>();
            alter.put(resource, changes);
            admin.incrementalAlterConfigs(alter).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            throw new IllegalStateException("the settings " + settings + " of topic " + topic + " cannot be checked or set: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }
}
