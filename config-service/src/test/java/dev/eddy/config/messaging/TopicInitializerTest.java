package dev.eddy.config.messaging;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.contracts.kafka.TopicSetup;
import dev.eddy.testsupport.EddyInfrastructureResource;
import dev.eddy.testsupport.SharedInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config-service sets up every Eddy topic at start, the config topic compacted, on a real broker. */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class TopicInitializerTest {

    @Inject
    TopicInitializer topics;

    @Test
    void theConfigTopicIsCompactedAndANonCompactedOneIsFixedAtStart() throws Exception {
        try (Admin admin = admin()) {
            assertTrue(admin.listTopics().names().get().containsAll(Topics.ALL));
            assertEquals("compact", cleanupPolicy(admin, Topics.CONFIG));

            // as if a consumer had auto-created it before config-service first started
            setCleanupPolicy(admin, Topics.CONFIG, "delete");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals("delete", cleanupPolicy(admin, Topics.CONFIG)));
            TopicSetup.Outcome outcome = topics.ensureTopics(); // what the start runs
            assertEquals(List.of(Topics.CONFIG), outcome.altered());
            assertEquals(List.of(), outcome.created());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals("compact", cleanupPolicy(admin, Topics.CONFIG)));
            // a second start changes nothing
            assertEquals(new TopicSetup.Outcome(List.of(), List.of()), topics.ensureTopics(),
                    "the broker already reported the applied setting, so nothing is altered again");
        }
    }

    @Test
    void missingTopicsAreCreatedWithTheirSettingsAndExistingOnesGetThem() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String missingCompacted = "setup-compacted-" + suffix;
        String missingPlain = "setup-plain-" + suffix;
        String existingWrong = "setup-wrong-" + suffix;
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(existingWrong, 2, (short) 1).configs(Map.of("cleanup.policy", "delete"))))
                    .all().get();

            TopicSetup.Outcome outcome = TopicSetup.ensure(admin, List.of(missingCompacted, missingPlain, existingWrong),
                    Map.of(missingCompacted, Map.of("cleanup.policy", "compact"), existingWrong, Map.of("cleanup.policy", "compact")),
                    Duration.ofSeconds(30));

            assertEquals(List.of(missingCompacted, missingPlain), outcome.created());
            assertEquals(List.of(existingWrong), outcome.altered());
            // the broker applies created topics and altered settings through its metadata log: read them once applied
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertEquals("compact", cleanupPolicy(admin, missingCompacted));
                assertEquals("delete", cleanupPolicy(admin, missingPlain));
                assertEquals("compact", cleanupPolicy(admin, existingWrong));
            });
            assertEquals(2, admin.describeTopics(List.of(existingWrong)).allTopicNames().get().get(existingWrong)
                    .partitions().size(), "an existing topic keeps its partitions");
        }
    }

    private static Admin admin() {
        return Admin.create(KafkaSettings.admin(SharedInfrastructure.broker().bootstrapServers(), "topic-test"));
    }

    private static String cleanupPolicy(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource).get("cleanup.policy").value();
    }

    private static void setCleanupPolicy(Admin admin, String topic, String policy) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry("cleanup.policy", policy),
                AlterConfigOp.OpType.SET)))).all().get();
    }
}
