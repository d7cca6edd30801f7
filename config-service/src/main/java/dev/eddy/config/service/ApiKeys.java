package dev.eddy.config.service;

import dev.eddy.config.config.EddyConfig;
import dev.eddy.config.store.ApiKeyStore;
import dev.eddy.config.store.ConfigSchema;
import dev.eddy.config.store.Database;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import com.fasterxml.jackson.databind.JsonNode;
import dev.eddy.config.store.ApiKeyStore.StoredKey;

/** Checks API keys against their stored SHA-256 hashes; stores the bootstrap key ({@code eddy.api-key}) at start. */
@ApplicationScoped
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Database db;
    private final ApiKeyStore store;
    private final EddyConfig config;

    public ApiKeys(Database db, ApiKeyStore store, EddyConfig config) {
        this.db = db;
        this.store = store;
        this.config = config;
    }

    void onStart(@Observes @Priority(ConfigSchema.STARTUP_PRIORITY + 10) StartupEvent event) {
        config.apiKey().filter(k -> !k.isBlank()).ifPresentOrElse(this::storeBootstrapKey,
                () -> LOG.warn("no bootstrap API key (eddy.api-key / EDDY_API_KEY): only keys stored earlier are accepted"));
    }

    /**
     * Makes {@code key} the bootstrap key ({@code EDDY_API_KEY}): a new one replaces the previous bootstrap key, which is
     * revoked; keys made with {@code POST /api-keys} stay. The configured key always works after a start, even if it was
     * revoked before (rotating back, or revoked through the API): to retire it, change or unset {@code EDDY_API_KEY}.
     */
    public void storeBootstrapKey(String key) {
        ApiKeyStore.BootstrapOutcome outcome = db.inTransaction(c -> store.replaceBootstrap(c, "bootstrap", hash(key)));
        if (outcome.inserted()) {
            LOG.info("bootstrap API key stored (as its hash)");
        }
        if (outcome.reactivated()) {
            LOG.warn("the configured bootstrap API key had been revoked; EDDY_API_KEY makes it valid again");
        }
        if (outcome.revoked() > 0) {
            LOG.infof("bootstrap API key replaced: %d previous bootstrap key(s) revoked", outcome.revoked());
        }
    }

    /** True when the key is known and not revoked. */
    public boolean isValid(String key) {
        return nameOf(key).isPresent();
    }

    /** The name of the key when it is known and not revoked. */
    public Optional<String> nameOf(String key) {
        if (key == null || key.isBlank()) {
            return Optional.empty();
        }
        String hash = hash(key);
        return db.inTransaction(c -> store.activeName(c, hash));
    }

    /** A new key: answers it once, stores only its hash. */
    public CreatedKey create(JsonNode body) {
        FieldProblems p = new FieldProblems();
        String name = p.requireText(body, "name", "name");
        p.throwIfAny();
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String key = "eddy_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        long id = db.inTransaction(c -> store.insert(c, name, hash(key)));
        LOG.infof("API key %d (%s) created", id, name);
        StoredKey stored = db.inTransaction(c -> store.find(c, id)).orElseThrow();
        return new CreatedKey(stored, key);
    }

    public List<StoredKey> list() {
        return db.inTransaction(store::list);
    }

    /** Revokes the key with this path id; 404 when there is none or it is already revoked. */
    public void revoke(String id) {
        long key = Catalog.parseId("api key", id);
        if (!db.inTransaction(c -> store.revoke(c, key))) {
            throw new UnknownObjectException("api key", id);
        }
        LOG.infof("API key %d revoked", key);
    }

    /** A key just created, with the only copy of its plaintext. */
    public record CreatedKey(StoredKey stored, String key) {
    }

    /** The hex SHA-256 of the key, the only form in which keys are stored. */
    public static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }
}
