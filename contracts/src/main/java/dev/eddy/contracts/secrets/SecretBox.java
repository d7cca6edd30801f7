package dev.eddy.contracts.secrets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Seals secret values with AES-256-GCM under the suite's key ({@code EDDY_SECRET_KEY}), so a secret is
 * never plaintext at rest, on a topic or in a log. Every service holds the same key; only the extractor
 * and delivery open secrets, at the moment they connect.
 * <p>
 * Which configuration values are secrets is decided by their field name ({@link #isSecretField(String, String)}),
 * at any depth. Every value under a secret name is one: a string, a number or a boolean (sealed as its JSON, and
 * given back as such by {@link #openSecrets}), and every value inside an object or list held by a secret name.
 */
public final class SecretBox {
    /** Prefix of a sealed value. */
    public static final String PREFIX = "sealed:v1:";
    /** Prefix of a sealed number or boolean: its JSON text sealed, so opening gives the same JSON value back. */
    static final String JSON_PREFIX = PREFIX + "json:";
    /** What the API shows in place of a secret. */
    public static final String MASK = "********";
    /**
     * Endings of secret field names, compared with the name lower-cased and without {@code -}, {@code _}, {@code .}
     * and spaces: {@code password}, {@code X-Api-Key}, {@code Proxy-Authorization}, {@code X-Auth-Token},
     * {@code clientSecret}, {@code sasl.jaas.config}, {@code Cookie}, {@code sshPrivateKey} ...
     */
    public static final List<String> SECRET_ENDINGS = List.of("password", "passwd", "secret", "token", "apikey",
            "accesskey", "secretkey", "privatekey", "authorization", "cookie", "credential", "credentials", "jaasconfig");
    /** Whole secret field names (normalized the same way) that no ending covers. */
    public static final Set<String> SECRET_NAMES = Set.of("pwd");
    /**
     * More endings that make a secret of an HTTP header, i.e. a field directly inside an object named {@code headers}:
     * {@code Api-Key}, {@code Ocp-Apim-Subscription-Key}, {@code X-Custom-Auth}, {@code X-Session}, {@code X-Signature}.
     * Outside headers, names like {@code primaryKey} or {@code keyColumn} are not secrets.
     */
    public static final List<String> HEADER_SECRET_ENDINGS = List.of("key", "auth", "session", "signature");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int IV_BYTES = 12;
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    /** @param keyMaterial any non-blank text; a 256-bit key is derived from it with SHA-256 */
    public SecretBox(String keyMaterial) {
        if (keyMaterial == null || keyMaterial.isBlank()) {
            throw new IllegalArgumentException("the secret key (EDDY_SECRET_KEY) is not set");
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(keyMaterial.getBytes(StandardCharsets.UTF_8));
            this.key = new SecretKeySpec(digest, "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    /** True when a field of this name holds a secret wherever it is (see {@link #SECRET_ENDINGS}). */
    public static boolean isSecretField(String name) {
        return isSecretField(null, name);
    }

    /**
     * True when the field holds a secret by its name; {@code parent} is the name of the object holding it (null at the
     * top): inside {@code headers}, {@link #HEADER_SECRET_ENDINGS} count too.
     */
    public static boolean isSecretField(String parent, String name) {
        String n = normalized(name);
        if (SECRET_NAMES.contains(n) || SECRET_ENDINGS.stream().anyMatch(n::endsWith)) {
            return true;
        }
        return parent != null && normalized(parent).equals("headers") && HEADER_SECRET_ENDINGS.stream().anyMatch(n::endsWith);
    }

    private static String normalized(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[-_. ]", "");
    }

    public static boolean isSealed(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    /** Seals a plaintext value; a value already sealed is returned as it is. */
    public String seal(String plaintext) {
        if (plaintext == null || isSealed(plaintext)) {
            return plaintext;
        }
        return PREFIX + encrypt(plaintext);
    }

    /** Seals a number or boolean as its JSON text, so {@link #openSecrets} gives the same value back. */
    private String sealJson(JsonNode value) {
        return JSON_PREFIX + encrypt(value.toString());
    }

    private String encrypt(String plaintext) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing failed", e);
        }
    }

    /**
     * Opens a sealed value; a value that is not sealed is returned as it is. A sealed number or boolean opens to its
     * JSON text ({@code 1234}, {@code true}).
     */
    public String open(String value) {
        if (!isSealed(value)) {
            return value;
        }
        String sealed = value.startsWith(JSON_PREFIX) ? value.substring(JSON_PREFIX.length()) : value.substring(PREFIX.length());
        try {
            byte[] all = Base64.getDecoder().decode(sealed);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, IV_BYTES));
            return new String(cipher.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("a sealed secret cannot be opened: is EDDY_SECRET_KEY the one it was sealed with?", e);
        }
    }

    /** Seals, in place, every secret value of a configuration object, at any depth. */
    public ObjectNode sealSecrets(ObjectNode config) {
        walk(config, null, false, (value, secret) -> {
            if (secret && value.isTextual()) {
                return TextNode.valueOf(seal(value.asText()));
            }
            return secret && (value.isNumber() || value.isBoolean()) ? TextNode.valueOf(sealJson(value)) : value;
        });
        return config;
    }

    /**
     * Seals, in place, every secret value of a configuration object: those {@link #sealSecrets(ObjectNode)} seals by
     * name, and the values at the paths {@code alsoSecret} accepts (keys from the root, e.g.
     * {@code ["headers", "X-Api-Key"]}), which a destination type declares as its own secrets.
     */
    public ObjectNode sealSecrets(ObjectNode config, java.util.function.Predicate<List<String>> alsoSecret) {
        sealSecrets(config);
        sealPaths(config, new java.util.ArrayList<>(), alsoSecret);
        return config;
    }

    private void sealPaths(JsonNode node, List<String> path, java.util.function.Predicate<List<String>> alsoSecret) {
        if (!(node instanceof ObjectNode object)) {
            return;
        }
        var names = new java.util.ArrayList<String>();
        object.fieldNames().forEachRemaining(names::add);
        for (String field : names) {
            JsonNode child = object.get(field);
            path.add(field);
            if (child.isValueNode() && !child.isNull()) {
                if (alsoSecret.test(List.copyOf(path))) {
                    object.set(field, child.isTextual() ? TextNode.valueOf(seal(child.asText())) : TextNode.valueOf(sealJson(child)));
                }
            } else {
                sealPaths(child, path, alsoSecret);
            }
            path.remove(path.size() - 1);
        }
    }

    /** Opens, in place, every sealed value of a configuration object, at any depth (numbers and booleans as such). */
    public ObjectNode openSecrets(ObjectNode config) {
        walk(config, null, false, (value, secret) -> {
            if (!value.isTextual() || !isSealed(value.asText())) {
                return value;
            }
            String opened = open(value.asText());
            if (!value.asText().startsWith(JSON_PREFIX)) {
                return TextNode.valueOf(opened);
            }
            try {
                return JSON.readTree(opened);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a sealed value is not the JSON it was sealed as", e);
            }
        });
        return config;
    }

    /** A copy with every secret value replaced by {@link #MASK}, for API responses and logs. */
    public static ObjectNode redacted(ObjectNode config) {
        ObjectNode copy = config.deepCopy();
        walk(copy, null, false, (value, secret) ->
                secret || (value.isTextual() && isSealed(value.asText())) ? TextNode.valueOf(MASK) : maskedUrl(value));
        return copy;
    }

    /**
     * A copy with every secret field removed (a secret object or list whole), and the secrets inside URLs masked
     * ({@link UrlSecrets}), for events and Git files.
     */
    public static ObjectNode withoutSecrets(ObjectNode config) {
        ObjectNode copy = config.deepCopy();
        strip(copy, null);
        walk(copy, null, false, (value, secret) -> maskedUrl(value));
        return copy;
    }

    /** A URL's tokens and userinfo (sealed or not) masked; any other value as it is. */
    private static JsonNode maskedUrl(JsonNode value) {
        return value.isTextual() && value.asText().contains("://") ? TextNode.valueOf(UrlSecrets.masked(value.asText())) : value;
    }

    private static void strip(JsonNode node, String name) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> it = object.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode value = e.getValue();
                if ((isSecretField(name, e.getKey()) && !value.isNull()) || (value.isTextual() && isSealed(value.asText()))) {
                    it.remove();
                } else {
                    strip(value, e.getKey());
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = array.size() - 1; i >= 0; i--) {
                JsonNode element = array.get(i);
                if (element.isTextual() && isSealed(element.asText())) {
                    array.remove(i);
                } else {
                    strip(element, name);
                }
            }
        }
    }

    /** Maps a scalar value (never null), told whether it is a secret; answers the value to keep in its place. */
    private interface ValueMapper {
        JsonNode map(JsonNode value, boolean secret);
    }

    /**
     * Visits every non-null scalar under {@code node} (named {@code name} in its parent), replacing it with what the
     * mapper answers; a value is a secret when a field on its path has a secret name.
     */
    private static void walk(JsonNode node, String name, boolean secret, ValueMapper mapper) {
        if (node instanceof ObjectNode object) {
            var names = new java.util.ArrayList<String>();
            object.fieldNames().forEachRemaining(names::add);
            for (String field : names) {
                JsonNode child = object.get(field);
                boolean childSecret = secret || isSecretField(name, field);
                if (child.isValueNode() && !child.isNull()) {
                    object.set(field, mapper.map(child, childSecret));
                } else {
                    walk(child, field, childSecret, mapper);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode element = array.get(i);
                if (element.isValueNode() && !element.isNull()) {
                    array.set(i, mapper.map(element, secret));
                } else {
                    walk(element, name, secret, mapper);
                }
            }
        }
    }
}
