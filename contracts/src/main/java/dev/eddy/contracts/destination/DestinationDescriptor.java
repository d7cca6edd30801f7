package dev.eddy.contracts.destination;

import dev.eddy.contracts.validation.KnownKeys;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What Eddy knows about a destination type without connecting to it: the sync modes and types it can carry out,
 * its largest write, its default rate limit and attempts, which configuration fields are secrets, and the rules a
 * configuration must follow. Pure and framework-free, so the API (config-service, which answers 422 with every
 * problem) and delivery (whose connector for the type declares this descriptor, and whose planner applies it)
 * judge a configuration by the same code. Implementations are stateless and thread-safe.
 */
public interface DestinationDescriptor {

    /** The destination type, as named in a destination's {@code type}. */
    String type();

    /** The sync modes this destination can carry out. */
    Set<SyncMode> supportedModes();

    /** The sync types ({@code object}, {@code event}) this destination can carry out. */
    Set<SyncType> supportedTypes();

    /** The most rows one write may carry; a sync's {@code batchSize} is capped by it. */
    int maxBatchSize();

    /** The request rate the destination tolerates when the sync sets no {@code rateLimit}. */
    RateLimit defaultRateLimit();

    /** Attempts per write (the first included) when the sync sets none; 0 takes delivery's service default. */
    default int defaultMaxAttempts() {
        return 0;
    }

    /**
     * Checks a destination configuration (secret values may be sealed) and returns every problem found, each named by
     * its field path inside the configuration ({@code url}, {@code headers.X-Team}); empty when it is usable. Never
     * touches the network.
     */
    List<ConfigProblem> validate(Map<String, Object> configuration);

    /**
     * The keys {@link #validate} and the connector read, at every depth (user maps such as {@code headers} are not
     * checked): the API refuses any other key of a destination's configuration. Empty when the type declares none
     * (nothing is refused). Not applied by {@link #validate} itself, so a configuration stored before a key was
     * refused still opens in delivery.
     */
    default Optional<KnownKeys> knownKeys() {
        return Optional.empty();
    }

    /**
     * True when the configuration value at {@code path} (keys from the configuration's root, e.g.
     * {@code ["headers", "X-Api-Key"]}) is a secret beyond those named like one
     * ({@link dev.eddy.contracts.secrets.SecretBox#isSecretField(String)}): it is sealed at rest and masked by the API.
     */
    default boolean isSecret(List<String> path) {
        return false;
    }

    /**
     * Checks what a sync asks of this destination beyond its mode and type (those are checked by
     * {@link DeliveryOptions#problemsFor}); problems are named by their path in the sync's configuration.
     *
     * @param configuration    the destination's configuration
     * @param primaryKeyColumn the model's primary key column, or null when unknown
     */
    default List<ConfigProblem> validateSync(Map<String, Object> configuration, DeliveryOptions options,
                                             String primaryKeyColumn) {
        return List.of();
    }
}
