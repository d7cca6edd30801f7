package dev.eddy.config.health;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.embedded.EmbeddedKafkaBroker;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * config-service on a broker of its own, started empty (no topics, as an external broker would be): the service
 * creates every Eddy topic, the config topic compacted; its readiness follows the broker when it is stopped and
 * started again.
 */
@QuarkusTest
@TestProfile(DedicatedBrokerTest.OwnBroker.class)
class DedicatedBrokerTest {

    /** The shared database, but a broker of this test's own that the test may stop. */
    public static class OwnBroker implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(OwnBrokerResource.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    /** Starts an empty broker (no topics) and hands it to the service in place of the shared one. */
    public static class OwnBrokerResource implements QuarkusTestResourceLifecycleManager {
        static Path dir;
        static int port;
        static volatile EmbeddedKafkaBroker broker;

        @Override
        public Map<String, String> start() {
            try {
                dir = Files.createTempDirectory("eddy-own-kafka");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            broker = new EmbeddedKafkaBroker(dir, 0).start();
            port = broker.port();
            Map<String, String> config = new HashMap<>(new EddyInfrastructureResource().start());
            config.put("kafka.bootstrap.servers", broker.bootstrapServers());
            return config;
        }

        @Override
        public void stop() {
            if (broker != null) {
                broker.close();
            }
        }
    }

    @Test
    void topicsAreCreatedAtStartAndReadinessFollowsTheBroker() throws Exception {
        try (Admin admin = Admin.create(KafkaSettings.admin(OwnBrokerResource.broker.bootstrapServers(), "own-broker-test"))) {
            assertTrue(admin.listTopics().names().get().containsAll(Topics.ALL), "every Eddy topic is created at start");
            ConfigResource config = new ConfigResource(ConfigResource.Type.TOPIC, Topics.CONFIG);
            assertEquals("compact", admin.describeConfigs(List.of(config)).all().get().get(config).get("cleanup.policy").value());
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")));

        OwnBrokerResource.broker.close();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(503)
                        .body("checks.findAll { it.status == 'DOWN' }.name", hasItem("run-events consumer")));

        // the same broker (port and data) back: ready again, without a restart of the service
        OwnBrokerResource.broker = new EmbeddedKafkaBroker(OwnBrokerResource.dir, OwnBrokerResource.port).start();
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")));
    }
}
