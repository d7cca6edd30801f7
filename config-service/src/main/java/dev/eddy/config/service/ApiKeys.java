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
import java.util.HexFormat;

/** Checks API keys against their stored SHA-256 hashes; stores the bootstrap key ({@code eddy.api-key}) at start. */
@ApplicationScoped
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);

    private final Database db;
    private final ApiKeyStore store;
    private final EddyConfig config;

    public ApiKeys(Database db, ApiKeyStore store, EddyConfig config) {
        this.db = db;
        this.store = store;
        this.config = config;
    }

    void onStart(@Observes @Priority(ConfigSchema.STARTUP_PRIORITY + 10) StartupEvent event) {
        config.apiKey().filter(k -> !k.isBlank()).ifPresentOrElse(key -> {
            boolean inserted = db.inTransaction(c -> store.insertIfAbsent(c, "bootstrap", hash(key)));
            if (inserted) {
                LOG.info("bootstrap API key stored (as its hash)");
            }
        }, () -> LOG.warn("no bootstrap API key (eddy.api-key / EDDY_API_KEY): only keys stored earlier are accepted"));
    }

    /** True when the key is known and not revoked. */
    public boolean isValid(String key) {
        if (key == null || key.isBlank()) {
            return false;
        }
        String hash = hash(key);
        return db.inTransaction(c -> store.isActive(c, hash));
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
