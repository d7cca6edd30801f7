package dev.eddy.config.messaging;

import dev.eddy.config.config.EddyConfig;
import dev.eddy.config.config.KafkaClients;
import dev.eddy.config.store.ConfigSchema;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.kafka.RecordLimits;
import dev.eddy.contracts.kafka.TopicSetup;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;

/**
 * Makes sure every Eddy topic exists with the settings Eddy relies on ({@link Topics#requiredSettings}: the config
 * topic compacted, the batch topics' {@code max.message.bytes} from {@code eddy.kafka.max-record-bytes}) before
 * anything is consumed or published, on any broker: a broker that auto-creates topics would otherwise create the
 * config topic at the first publish, not compacted. A start that cannot do it fails, naming the topic and the reason.
 */
@ApplicationScoped
public class TopicInitializer {

    private static final Logger LOG = Logger.getLogger(TopicInitializer.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClients kafka;
    private final Map<String, Map<String, String>> required;

    public TopicInitializer(KafkaClients kafka, EddyConfig config) {
        this.kafka = kafka;
        this.required = Topics.requiredSettings(RecordLimits.checked(config.kafka().maxRecordBytes()));
    }

    // before the run-events consumer and the config republish
    void onStart(@Observes @Priority(ConfigSchema.STARTUP_PRIORITY + 5) StartupEvent event) {
        ensureTopics();
    }

    /** Creates the missing topics and sets the required settings of existing ones; answers what changed. */
    public TopicSetup.Outcome ensureTopics() {
        try (Admin admin = Admin.create(kafka.adminSettings())) {
            TopicSetup.Outcome outcome = TopicSetup.ensure(admin, Topics.ALL, required, TIMEOUT);
            if (!outcome.created().isEmpty()) {
                LOG.infof("topics created: %s", outcome.created());
            }
            if (!outcome.altered().isEmpty()) {
                LOG.warnf("topics whose settings were wrong, now set as %s: %s", required, outcome.altered());
            }
            return outcome;
        }
    }
}
