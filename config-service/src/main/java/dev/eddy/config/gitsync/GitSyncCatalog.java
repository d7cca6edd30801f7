package dev.eddy.config.gitsync;

import java.util.List;
import java.util.Optional;

/**
 * The port through which Git Sync reads and changes the catalog, by slug. Implementations run each call in its own
 * transaction and fire {@link dev.eddy.config.service.ConfigChanged} after each commit with actor {@link #ACTOR}, so
 * the rest of the suite (the scheduler, the sync specs) learns of an imported change while Git Sync itself ignores
 * it (an imported file never comes back as a commit).
 */
public interface GitSyncCatalog {

    /** The actor of changes imported from Git. */
    String ACTOR = "git-sync";

    /** What a delete did. */
    enum DeleteOutcome { DELETED, NOT_FOUND, IN_USE }

    List<ModelDocument> models();

    List<SyncDocument> syncs();

    Optional<ModelDocument> model(String slug);

    Optional<SyncDocument> sync(String slug);

    /** The slug of the model or sync with this id, if it still exists. */
    Optional<String> slugOf(GitSyncKind kind, long id);

    boolean sourceExists(String slug);

    boolean destinationExists(String slug);

    /**
     * What the sync's destination could not carry out, by delivery's own rules (the same the API applies): its delivery
     * settings ({@code type}, {@code mode}, {@code batchSize}, ...) and what the destination's connector does not
     * support. Each problem as {@code <config field>: <reason>}; empty when the model or destination is unknown.
     */
    List<dev.eddy.contracts.destination.ConfigProblem> deliveryProblems(SyncDocument sync);

    /** Creates the model or replaces its fields; the source must exist. Returns the stored document. */
    ModelDocument upsertModel(ModelDocument model);

    /** Creates the sync or replaces its fields; model and destination must exist. Returns the stored document. */
    SyncDocument upsertSync(SyncDocument sync);

    /** Deletes the model unless a sync still uses it ({@link DeleteOutcome#IN_USE}). */
    DeleteOutcome deleteModel(String slug);

    /** Disables and deletes the sync; its run history stays. */
    DeleteOutcome deleteSync(String slug);

    /** Slugs of the syncs that use the model. */
    List<String> syncsUsingModel(String slug);
}
