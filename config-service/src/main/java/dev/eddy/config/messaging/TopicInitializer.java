package dev.eddy.config.messaging;

import dev.eddy.config.config.KafkaClients;
import dev.eddy.config.store.ConfigSchema;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.kafka.TopicSetup;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * Makes sure every Eddy topic exists with the settings Eddy relies on ({@link Topics#REQUIRED_SETTINGS}: the config
 * topic compacted) before anything is consumed or published, on any broker: a broker that auto-creates topics
 * would otherwise create the config topic at the first publish, not compacted. A start that cannot do it fails,
 * naming the topic and the reason.
 */
@ApplicationScoped
public class TopicInitializer {

    private static final Logger LOG = Logger.getLogger(TopicInitializer.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClients kafka;

    public TopicInitializer(KafkaClients kafka) {
        this.kafka = kafka;
    }

    // before the run-events consumer and the config republish
    void onStart(@Observes @Priority(ConfigSchema.STARTUP_PRIORITY + 5) StartupEvent event) {
        ensureTopics();
    }

    /** Creates the missing topics and sets the required settings of existing ones; answers what changed. */
    public TopicSetup.Outcome ensureTopics() {
        try (Admin admin = Admin.create(kafka.adminSettings())) {
            TopicSetup.Outcome outcome = TopicSetup.ensure(admin, Topics.ALL, Topics.REQUIRED_SETTINGS, TIMEOUT);
            if (!outcome.created().isEmpty()) {
                LOG.infof("topics created: %s", outcome.created());
            }
            if (!outcome.altered().isEmpty()) {
                LOG.warnf("topics whose settings were wrong, now set as %s: %s", Topics.REQUIRED_SETTINGS, outcome.altered());
            }
            return outcome;
        }
    }
}
