package dev.eddy.config.service;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one slug format of every kind (sources, models, destinations, syncs, sequences), through the API and Git Sync:
 * lower-case letters, digits, '-' and '_', starting with a letter or digit, at most {@value #MAX_LENGTH} characters.
 * A slug names a Git Sync file ({@code models/<slug>.yaml}), so nothing else (no '/', '.', NUL) may reach a path.
 */
public final class Slugs {

    /** The longest slug. */
    public static final int MAX_LENGTH = 100;
    private static final Pattern FORMAT = Pattern.compile("[a-z0-9][a-z0-9_-]{0," + (MAX_LENGTH - 1) + "}");

    private Slugs() {
    }

    /** True when {@code slug} has the slug format. */
    public static boolean valid(String slug) {
        return slug != null && FORMAT.matcher(slug).matches();
    }

    /** Why {@code slug} is not a slug, or empty when it is. */
    public static Optional<String> problem(String slug) {
        if (valid(slug)) {
            return Optional.empty();
        }
        if (slug != null && slug.length() > MAX_LENGTH) {
            return Optional.of("must be at most " + MAX_LENGTH + " characters");
        }
        return Optional.of("must be lower-case letters, digits, '-' or '_', starting with a letter or digit");
    }
}
