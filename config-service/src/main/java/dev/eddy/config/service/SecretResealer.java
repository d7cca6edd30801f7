package dev.eddy.config.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.config.domain.Destination;
import dev.eddy.config.domain.Source;
import dev.eddy.config.store.CatalogStore;
import dev.eddy.config.store.ConfigSchema;
import dev.eddy.config.store.Database;
import dev.eddy.config.store.ListQuery;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.secrets.UrlSecrets;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Seals, at start, the secrets of stored source and destination configurations that are still plaintext: values
 * stored before their field name counted as a secret (e.g. a webhook's {@code X-Api-Key} header before Eddy knew
 * that name). Runs before the config topic is republished, so the sync specs published then carry them sealed.
 */
@ApplicationScoped
public class SecretResealer {

    private static final Logger LOG = Logger.getLogger(SecretResealer.class);

    private final Database db;
    private final CatalogStore store;
    private final SecretBox secrets;

    public SecretResealer(Database db, CatalogStore store, SecretBox secrets) {
        this.db = db;
        this.store = store;
        this.secrets = secrets;
    }

    void onStart(@Observes @Priority(ConfigSchema.STARTUP_PRIORITY + 15) StartupEvent event) {
        int sealed = resealAll();
        if (sealed > 0) {
            LOG.infof("secrets sealed in %d stored configuration(s) that still held them as plaintext", sealed);
        }
    }

    /** Seals the plaintext secrets of every stored source and destination; answers how many configurations changed. */
    public int resealAll() {
        return db.inTransaction(c -> {
            int changed = 0;
            ListQuery all = ListQuery.of(null, null);
            for (Source s : store.listSources(c, all)) {
                ObjectNode sealed = secrets.sealSecrets(s.configuration().deepCopy());
                if (!sealed.equals(s.configuration())) {
                    store.replaceConfiguration(c, "sources", s.id(), sealed);
                    changed++;
                }
            }
            for (Destination d : store.listDestinations(c, all)) {
                ObjectNode sealed = UrlSecrets.sealUrls(secrets.sealSecrets(d.configuration().deepCopy()), secrets::seal);
                if (!sealed.equals(d.configuration())) {
                    store.replaceConfiguration(c, "destinations", d.id(), sealed);
                    changed++;
                }
            }
            return changed;
        });
    }
}
