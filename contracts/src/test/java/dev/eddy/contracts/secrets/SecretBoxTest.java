package dev.eddy.contracts.secrets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretBoxTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final SecretBox box = new SecretBox("test-key");

    @Test
    void secretNamesAreRecognisedWhateverTheirCaseAndSeparators() {
        for (String name : List.of("password", "PASSWORD", "db_password", "passwd", "pwd", "token", "accessToken",
                "refresh_token", "X-Auth-Token", "apiKey", "api_key", "X-Api-Key", "Api-Key", "Apikey", "clientSecret",
                "signingSecret", "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "privateKey",
                "ssh_private_key", "secretAccessKey", "sasl.jaas.config", "ssl.key.password", "credentials")) {
            assertTrue(SecretBox.isSecretField(name), name);
        }
        for (String name : List.of("host", "port", "user", "database", "url", "primaryKey", "keyColumn", "key", "tokenUrl",
                "X-Team", "Content-Type", "mode", "mappings", "headers")) {
            assertFalse(SecretBox.isSecretField(name), name);
        }
    }

    @Test
    void insideHeadersAnyKeyAuthSessionOrSignatureHeaderIsASecretToo() {
        for (String header : List.of("X-Key", "Ocp-Apim-Subscription-Key", "X-Custom-Auth", "X-Session", "X-Signature")) {
            assertTrue(SecretBox.isSecretField("headers", header), header);
            assertFalse(SecretBox.isSecretField("configuration", header), header + " outside headers");
        }
        assertFalse(SecretBox.isSecretField("headers", "X-Team"));
        assertFalse(SecretBox.isSecretField("headers", "Accept"));
    }

    @Test
    void everySecretValueIsSealedNumbersBooleansAndWholeObjectsIncludedAndOpensBackAsItWas() throws Exception {
        ObjectNode config = (ObjectNode) JSON.readTree("""
                {"url": "https://api.example.com", "port": 443,
                 "headers": {"X-Api-Key": "key-one", "Cookie": "session=abc", "X-Team": "growth", "Ocp-Apim-Subscription-Key": "key-two"},
                 "apiKey": 123456, "verify": true, "pin": {"password": false},
                 "credentials": {"user": "svc-user", "scopes": ["read", "write"], "nested": {"id": 7}},
                 "nothing": null, "token": null}""");
        ObjectNode original = config.deepCopy();
        box.sealSecrets(config);

        for (String path : List.of("/headers/X-Api-Key", "/headers/Cookie", "/headers/Ocp-Apim-Subscription-Key", "/apiKey",
                "/pin/password", "/credentials/user", "/credentials/scopes/0", "/credentials/scopes/1", "/credentials/nested/id")) {
            assertTrue(SecretBox.isSealed(config.at(path).asText()), path + " sealed: " + config);
        }
        assertEquals("growth", config.at("/headers/X-Team").asText());
        assertEquals(443, config.get("port").asInt());
        assertTrue(config.get("verify").asBoolean());
        assertTrue(config.get("token").isNull(), "a null stays null");
        // '-' is not in base64's alphabet: these can only be plaintext
        assertFalse(config.toString().contains("key-one") || config.toString().contains("key-two")
                || config.toString().contains("svc-user"), config.toString());

        assertEquals(original, box.openSecrets(config.deepCopy()), "opening gives every value back with its JSON type");
        assertEquals("123456", box.open(config.get("apiKey").asText()), "a number opens to its JSON text for string readers");
        assertEquals(config, box.sealSecrets(config.deepCopy()), "sealing twice changes nothing");
    }

    @Test
    void redactedMasksAndWithoutSecretsRemovesEverySecret() throws Exception {
        ObjectNode config = (ObjectNode) JSON.readTree("""
                {"url": "u", "headers": {"X-Api-Key": "k1", "X-Team": "growth"}, "apiKey": 99,
                 "credentials": {"user": "svc"}}""");
        ObjectNode sealed = box.sealSecrets(config.deepCopy());

        for (ObjectNode shown : List.of(SecretBox.redacted(config), SecretBox.redacted(sealed))) {
            assertEquals(SecretBox.MASK, shown.at("/headers/X-Api-Key").asText());
            assertEquals(SecretBox.MASK, shown.get("apiKey").asText());
            assertEquals(SecretBox.MASK, shown.at("/credentials/user").asText());
            assertEquals("growth", shown.at("/headers/X-Team").asText());
        }
        for (ObjectNode published : List.of(SecretBox.withoutSecrets(config), SecretBox.withoutSecrets(sealed))) {
            assertEquals(JSON.readTree("{\"url\": \"u\", \"headers\": {\"X-Team\": \"growth\"}}"), published);
        }
    }
}
