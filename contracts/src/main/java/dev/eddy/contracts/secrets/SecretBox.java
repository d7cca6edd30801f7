package dev.eddy.contracts.secrets;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Seals secret values with AES-256-GCM under the suite's key ({@code EDDY_SECRET_KEY}), so a secret is
 * never plaintext at rest, on a topic or in a log. Every service holds the same key; only the extractor
 * and delivery open secrets, at the moment they connect.
 */
public final class SecretBox {
    /** Prefix of a sealed value. */
    public static final String PREFIX = "sealed:v1:";
    /** What the API shows in place of a secret. */
    public static final String MASK = "********";
    /** Configuration field names whose values are secrets, compared case-insensitively. */
    public static final Set<String> SECRET_FIELDS = Set.of(
            "password", "token", "apikey", "api_key", "secret", "privatekey", "private_key",
            "sshprivatekey", "accesstoken", "access_token", "clientsecret", "client_secret",
            "signingsecret", "signing_secret", "authorization", "sasl.jaas.config");

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

    /** True when the field holds a secret by its name. */
    public static boolean isSecretField(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return SECRET_FIELDS.contains(lower) || lower.endsWith("password") || lower.endsWith("token")
                || lower.endsWith("secret");
    }

    public static boolean isSealed(String value) {
        return value != null && value.startsWith(PREFIX);
    }

    /** Seals a plaintext value; a value already sealed is returned as it is. */
    public String seal(String plaintext) {
        if (plaintext == null || isSealed(plaintext)) {
            return plaintext;
        }
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing failed", e);
        }
    }

    /** Opens a sealed value; a value that is not sealed is returned as it is. */
    public String open(String value) {
        if (!isSealed(value)) {
            return value;
        }
        try {
            byte[] all = Base64.getDecoder().decode(value.substring(PREFIX.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, IV_BYTES));
            return new String(cipher.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("a sealed secret cannot be opened: is EDDY_SECRET_KEY the one it was sealed with?", e);
        }
    }

    /** Seals, in place, every secret field of a configuration object, at any depth. */
    public ObjectNode sealSecrets(ObjectNode config) {
        walk(config, (node, field, value) -> node.put(field, seal(value)));
        return config;
    }

    /**
     * Seals, in place, every secret field of a configuration object, at any depth: those named like secrets and
     * those at a path {@code alsoSecret} accepts (keys from the root, e.g. {@code ["headers", "X-Api-Key"]}).
     */
    public ObjectNode sealSecrets(ObjectNode config, java.util.function.Predicate<java.util.List<String>> alsoSecret) {
        sealAt(config, new java.util.ArrayList<>(), alsoSecret);
        return config;
    }

    private void sealAt(JsonNode node, java.util.List<String> path,
                        java.util.function.Predicate<java.util.List<String>> alsoSecret) {
        if (!(node instanceof ObjectNode object)) {
            return;
        }
        var names = new java.util.ArrayList<String>();
        object.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            JsonNode child = object.get(name);
            path.add(name);
            if (child instanceof TextNode text) {
                if (isSecretField(name) || alsoSecret.test(java.util.List.copyOf(path))) {
                    object.put(name, seal(text.asText()));
                }
            } else if (child != null && child.isArray()) {
                // arrays hold no configured secrets of their own; their objects are walked by name only
                walk(child, (n, f, v) -> n.put(f, seal(v)));
            } else {
                sealAt(child, path, alsoSecret);
            }
            path.remove(path.size() - 1);
        }
    }

    /** Opens, in place, every sealed value of a configuration object, at any depth. */
    public ObjectNode openSecrets(ObjectNode config) {
        walkAll(config, (node, field, value) -> {
            if (isSealed(value)) {
                node.put(field, open(value));
            }
        });
        return config;
    }

    /** A copy with every secret field replaced by {@link #MASK}, for API responses and logs. */
    public static ObjectNode redacted(ObjectNode config) {
        ObjectNode copy = config.deepCopy();
        walkAll(copy, (node, field, value) -> {
            if (isSecretField(field) || isSealed(value)) {
                node.put(field, MASK);
            }
        });
        return copy;
    }

    /** A copy with every secret field removed, for events and Git files. */
    public static ObjectNode withoutSecrets(ObjectNode config) {
        ObjectNode copy = config.deepCopy();
        strip(copy);
        return copy;
    }

    private static void strip(JsonNode node) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> it = object.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if ((e.getValue().isTextual() && (isSecretField(e.getKey()) || isSealed(e.getValue().asText())))) {
                    it.remove();
                } else {
                    strip(e.getValue());
                }
            }
        } else if (node != null && node.isArray()) {
            node.forEach(SecretBox::strip);
        }
    }

    private interface TextVisitor {
        void visit(ObjectNode node, String field, String value);
    }

    private static void walk(JsonNode node, TextVisitor visitor) {
        walkAll(node, (n, f, v) -> {
            if (isSecretField(f)) {
                visitor.visit(n, f, v);
            }
        });
    }

    private static void walkAll(JsonNode node, TextVisitor visitor) {
        if (node instanceof ObjectNode object) {
            var names = new java.util.ArrayList<String>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode child = object.get(name);
                if (child instanceof TextNode text) {
                    visitor.visit(object, name, text.asText());
                } else {
                    walkAll(child, visitor);
                }
            }
        } else if (node != null && node.isArray()) {
            node.forEach(child -> walkAll(child, visitor));
        }
    }
}
