package dev.eddy.contracts.destination;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.secrets.SecretBox;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each destination type's configuration rules and secret fields, as the API and delivery apply them. */
class DestinationDescriptorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, String> problems(DestinationDescriptor d, String json) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> config = JSON.readValue(json, Map.class);
        return d.validate(config).stream().collect(Collectors.toMap(ConfigProblem::field, ConfigProblem::message,
                (a, b) -> a, TreeMap::new));
    }

    /** The documented example of each type (docs/destinations.md) holds only keys its descriptor declares. */
    @Test
    void everyTypeDeclaresTheKeysItReads() throws Exception {
        Map<DestinationDescriptor, String> examples = Map.of(
                WebhookDescriptor.INSTANCE, "{\"url\": \"https://x\", \"headers\": {\"X-Any\": \"1\"}, \"signingSecret\": \"s\"}",
                HttpRequestDescriptor.INSTANCE, "{\"headers\": {}, \"signingSecret\": \"s\", \"batched\": false,"
                        + " \"added\": {\"method\": \"POST\", \"url\": \"u\", \"body\": \"b\", \"batchBody\": \"bb\"},"
                        + " \"changed\": {\"method\": \"PATCH\", \"url\": \"u\"}, \"removed\": {\"method\": \"DELETE\", \"url\": \"u\"}}",
                PostgresDescriptor.INSTANCE, "{\"jdbcUrl\": \"j\", \"host\": \"h\", \"port\": 5432, \"database\": \"d\", \"user\": \"u\","
                        + " \"password\": \"p\", \"schema\": \"public\", \"table\": \"t\", \"keyColumn\": \"id\"}",
                KafkaTopicDescriptor.INSTANCE, "{\"bootstrapServers\": \"h:9092\", \"topic\": \"t\", \"properties\": {\"acks\": \"all\"}}");
        for (Map.Entry<DestinationDescriptor, String> e : examples.entrySet()) {
            assertEquals(List.of(), e.getKey().knownKeys().orElseThrow().unknown(JSON.readTree(e.getValue()), ""), e.getKey().type());
        }
        assertEquals("configuration.removed.metod", HttpRequestDescriptor.INSTANCE.knownKeys().orElseThrow()
                .unknown(JSON.readTree("{\"removed\": {\"metod\": \"DELETE\"}}"), "configuration").get(0).path());
    }

    @Test
    void theFourTypesAreKnownByName() {
        assertEquals(List.of("http", "kafka", "postgres", "webhook"), List.copyOf(DestinationDescriptors.types()));
        assertEquals(PostgresDescriptor.INSTANCE, DestinationDescriptors.find("postgres").orElseThrow());
        assertTrue(DestinationDescriptors.find("carrier-pigeon").isEmpty());
        assertTrue(DestinationDescriptors.find(null).isEmpty());
    }

    @Test
    void webhookNeedsAnHttpUrlAndValidHeaders() throws Exception {
        assertEquals(Map.of(), problems(WebhookDescriptor.INSTANCE, "{\"url\": \"https://x.io/h\", \"headers\": {\"X-Team\": \"a\"}}"));
        assertEquals(Map.of("url", "must be an absolute http or https URL", "headers.Host", "is set by Eddy and cannot be configured",
                        "headers.X-N", "must be a string", "signingSecret", "must be a non-empty string"),
                problems(WebhookDescriptor.INSTANCE, "{\"url\": \"ftp://x.io\", \"signingSecret\": \"\", \"headers\": {\"Host\": \"a\", \"X-N\": 1}}"));
        assertEquals(Map.of("url", "is required"), problems(WebhookDescriptor.INSTANCE, "{}"));
    }

    @Test
    void httpChecksEveryRequestAndParsesItsTemplates() throws Exception {
        assertEquals(Map.of(), problems(HttpRequestDescriptor.INSTANCE,
                "{\"added\": {\"method\": \"post\", \"url\": \"https://x.io/{{ row.id }}\", \"body\": \"{{ row | json }}\"}}"));
        Map<String, String> problems = problems(HttpRequestDescriptor.INSTANCE,
                "{\"added\": {\"method\": \"FETCH\", \"url\": \"{% if %}\"}, \"changed\": \"PUT\", \"batched\": \"yes\"}");
        assertEquals(List.of("added.method", "added.url", "batched", "changed"), List.copyOf(problems.keySet()));
        assertTrue(problems.get("added.url").contains("not valid Liquid"), problems.get("added.url"));
        assertEquals(Map.of("added", "at least one of added, changed, removed must be configured"),
                problems(HttpRequestDescriptor.INSTANCE, "{}"));
    }

    @Test
    void postgresNeedsAConnectionAndATable() throws Exception {
        assertEquals(Map.of(), problems(PostgresDescriptor.INSTANCE, "{\"jdbcUrl\": \"jdbc:postgresql://h/db\", \"table\": \"t\"}"));
        assertEquals(Map.of(), problems(PostgresDescriptor.INSTANCE, "{\"host\": \"h\", \"port\": 5432, \"database\": \"d\", \"table\": \"t\"}"));
        assertEquals(Map.of("host", "is required (or jdbcUrl)", "database", "is required (or jdbcUrl)",
                        "port", "must be a port number (1-65535)", "table", "is required", "user", "must be a string"),
                problems(PostgresDescriptor.INSTANCE, "{\"port\": 70000, \"user\": 5}"));
        assertEquals(Map.of("jdbcUrl", "must start with jdbc:postgresql:", "table", "is required"),
                problems(PostgresDescriptor.INSTANCE, "{\"jdbcUrl\": \"jdbc:mysql://h/db\"}"));
    }

    @Test
    void kafkaNeedsServersAndALegalTopicName() throws Exception {
        assertEquals(Map.of(), problems(KafkaTopicDescriptor.INSTANCE,
                "{\"bootstrapServers\": \"h:9092\", \"topic\": \"customers.v1\", \"properties\": {\"linger.ms\": 5}}"));
        assertEquals(List.of("bootstrapServers", "properties", "topic"), List.copyOf(problems(KafkaTopicDescriptor.INSTANCE,
                "{\"topic\": \"no spaces\", \"properties\": [1]}").keySet()));
    }

    @Test
    void kafkaAcceptsOnlyAllowedProducerSettingsWithCheckedValues() throws Exception {
        assertEquals(Map.of(), problems(KafkaTopicDescriptor.INSTANCE, """
                {"bootstrapServers": "h:9092", "topic": "t", "properties": {"compression.type": "zstd", "acks": "all",
                 "security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512",
                 "sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required username=\\"u\\" password=\\"p\\";",
                 "ssl.truststore.type": "PEM", "ssl.truststore.certificates": "-----BEGIN CERTIFICATE-----\\nMII\\n-----END CERTIFICATE-----",
                 "ssl.key.password": "sealed:v1:abc"}}"""));
        Map<String, String> refused = problems(KafkaTopicDescriptor.INSTANCE, """
                {"bootstrapServers": "h:9092", "topic": "t", "properties": {"config.providers": "env",
                 "client.id": "${env:EDDY_SECRET_KEY}", "ssl.keystore.location": "/root/.ssh/id_rsa",
                 "sasl.login.callback.handler.class": "x.Y", "ssl.truststore.type": "JKS", "buffer.memory": 999999999999}}""");
        assertEquals(java.util.Set.of("properties.config.providers", "properties.client.id", "properties.ssl.keystore.location",
                "properties.sasl.login.callback.handler.class", "properties.ssl.truststore.type", "properties.buffer.memory"), refused.keySet());
    }

    @Test
    void credentialHeadersAndProducerSecretsAreSealedBesidesFieldsNamedLikeSecrets() throws Exception {
        SecretBox box = new SecretBox("k");
        ObjectNode hook = (ObjectNode) JSON.readTree("""
                {"url": "https://x.io", "signingSecret": "s3cret!", "headers": {"X-Api-Key": "k-123", "X-Team": "growth"}}""");
        box.sealSecrets(hook, WebhookDescriptor.INSTANCE::isSecret);
        assertTrue(SecretBox.isSealed(hook.get("signingSecret").asText()));
        assertTrue(SecretBox.isSealed(hook.at("/headers/X-Api-Key").asText()));
        assertEquals("growth", hook.at("/headers/X-Team").asText());
        assertEquals("k-123", box.open(hook.at("/headers/X-Api-Key").asText()));

        ObjectNode kafka = (ObjectNode) JSON.readTree("""
                {"bootstrapServers": "h:9092", "topic": "t", "properties": {"sasl.jaas.config": "x", "ssl.key.password": "p",
                 "basic.auth.user.info": "u:p", "linger.ms": "5"}}""");
        box.sealSecrets(kafka, KafkaTopicDescriptor.INSTANCE::isSecret);
        assertTrue(SecretBox.isSealed(kafka.at("/properties/sasl.jaas.config").asText()));
        assertTrue(SecretBox.isSealed(kafka.at("/properties/ssl.key.password").asText()));
        assertTrue(SecretBox.isSealed(kafka.at("/properties/basic.auth.user.info").asText()));
        assertFalse(SecretBox.isSealed(kafka.at("/properties/linger.ms").asText()));
        assertEquals(SecretBox.MASK, SecretBox.redacted(kafka).at("/properties/basic.auth.user.info").asText());
    }
}
