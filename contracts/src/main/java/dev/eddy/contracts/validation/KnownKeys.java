package dev.eddy.contracts.validation;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The keys an object of a request or file may hold, at every depth: a misspelt setting must be refused, not silently
 * ignored (a sync with {@code deleteBehaviour} would otherwise never delete). Each object's shape is declared next to
 * the code that reads its fields, from the same names. Immutable; every builder method answers a new shape.
 * <p>
 * A key is <em>known</em> (its value is read; a nested shape checks it further, a plain key leaves it, e.g. a user
 * map such as {@code headers}), <em>tolerated</em> (a client sends it, Eddy ignores it: read-only fields echoed
 * back from a GET), or unknown: reported with the known key probably meant, if one is close.
 */
public final class KnownKeys {

    /** A shape that knows no key: every key of the object is unknown. */
    public static final KnownKeys NONE = new KnownKeys(Map.of(), Set.of());

    /** How a known key's value is checked further. */
    private sealed interface Value permits Any, Nested, Each {
    }

    /** Not checked (a scalar, or a map whose keys are the user's). */
    private record Any() implements Value {
    }

    /** An object with its own shape. */
    private record Nested(KnownKeys shape) implements Value {
    }

    /** An array of objects, each of this shape. */
    private record Each(KnownKeys shape) implements Value {
    }

    private static final Value ANY = new Any();

    private final Map<String, Value> known;
    private final Set<String> tolerated;

    private KnownKeys(Map<String, Value> known, Set<String> tolerated) {
        this.known = Collections.unmodifiableMap(known);
        this.tolerated = Collections.unmodifiableSet(tolerated);
    }

    /** A shape with these known keys, their values not checked further. */
    public static KnownKeys of(String... keys) {
        return NONE.and(keys);
    }

    /** A shape with these known keys, their values not checked further. */
    public static KnownKeys of(Collection<String> keys) {
        return NONE.and(keys.toArray(String[]::new));
    }

    /** This shape plus known keys whose values are not checked further. */
    public KnownKeys and(String... keys) {
        Map<String, Value> next = new LinkedHashMap<>(known);
        for (String key : keys) {
            next.putIfAbsent(key, ANY);
        }
        return new KnownKeys(next, tolerated);
    }

    /** This shape plus every key of {@code other} (the other's shape wins for a key both declare). */
    public KnownKeys and(KnownKeys other) {
        Map<String, Value> next = new LinkedHashMap<>(known);
        next.putAll(other.known);
        Set<String> tol = new LinkedHashSet<>(tolerated);
        tol.addAll(other.tolerated);
        return new KnownKeys(next, tol);
    }

    /** This shape plus {@code key}, an object of shape {@code nested}. */
    public KnownKeys with(String key, KnownKeys nested) {
        Map<String, Value> next = new LinkedHashMap<>(known);
        next.put(key, new Nested(nested));
        return new KnownKeys(next, tolerated);
    }

    /** This shape plus {@code key}, an array of objects each of shape {@code element}. */
    public KnownKeys withEach(String key, KnownKeys element) {
        Map<String, Value> next = new LinkedHashMap<>(known);
        next.put(key, new Each(element));
        return new KnownKeys(next, tolerated);
    }

    /** This shape, ignoring these keys (with whatever value) instead of refusing them. */
    public KnownKeys tolerating(String... keys) {
        Set<String> tol = new LinkedHashSet<>(tolerated);
        tol.addAll(List.of(keys));
        return new KnownKeys(known, tol);
    }

    /** The known keys, in declaration order. */
    public Set<String> keys() {
        return known.keySet();
    }

    /** The keys ignored at this level. */
    public Set<String> toleratedKeys() {
        return tolerated;
    }

    /** A key no shape declares, at {@code path} (e.g. {@code configuration.deleteBehaviour}). */
    public record UnknownKey(String path, String key, Optional<String> suggestion, Set<String> known) {

        /** {@code unknown setting; did you mean deleteBehavior?}, or the known keys when none is close. */
        public String message() {
            if (suggestion.isPresent()) {
                return "unknown setting; did you mean " + suggestion.get() + "?";
            }
            return known.isEmpty() ? "unknown setting; this object takes no settings"
                    : "unknown setting; known: " + String.join(", ", known);
        }
    }

    /**
     * Every unknown key of {@code node} and of its nested objects, each with its path under {@code path} (empty for
     * the root). Values of the wrong kind (an array where an object belongs) are left to the field's own check.
     */
    public List<UnknownKey> unknown(JsonNode node, String path) {
        List<UnknownKey> result = new ArrayList<>();
        collect(node, path, result);
        return result;
    }

    private void collect(JsonNode node, String path, List<UnknownKey> into) {
        if (node == null || !node.isObject()) {
            return;
        }
        node.fieldNames().forEachRemaining(key -> {
            String child = path.isEmpty() ? key : path + "." + key;
            Value value = known.get(key);
            JsonNode v = node.get(key);
            if (value == null) {
                if (!tolerated.contains(key)) {
                    into.add(new UnknownKey(child, key, suggestion(key, known.keySet()), known.keySet()));
                }
            } else if (value instanceof Nested nested) {
                nested.shape().collect(v, child, into);
            } else if (value instanceof Each each && v.isArray()) {
                for (int i = 0; i < v.size(); i++) {
                    each.shape().collect(v.get(i), child + "[" + i + "]", into);
                }
            }
        });
    }

    // ---- the suggester

    /**
     * The candidate {@code key} was probably meant to be: one spelt the same but for case, a British or American
     * variant ({@code colour}/{@code color}, {@code behaviour}/{@code behavior}, {@code -ise}/{@code -ize}), else the
     * nearest by edit distance (insertions, deletions, substitutions and swaps of neighbours) when at most 2 (1 for
     * keys of up to 3 letters, where 2 edits turn any key into any other). Ties go to the first candidate.
     */
    public static Optional<String> suggestion(String key, Collection<String> candidates) {
        String lower = key.toLowerCase(Locale.ROOT);
        for (String c : candidates) {
            if (c.equalsIgnoreCase(key)) {
                return Optional.of(c);
            }
        }
        String american = american(lower);
        for (String c : candidates) {
            if (american(c.toLowerCase(Locale.ROOT)).equals(american)) {
                return Optional.of(c);
            }
        }
        int allowed = key.length() <= 3 ? 1 : 2;
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(lower, c.toLowerCase(Locale.ROOT));
            if (d <= allowed && d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /** British spellings turned American, so both variants compare equal (lower-case input). */
    private static String american(String word) {
        return word.replace("our", "or")
                .replace("isation", "ization").replace("ise", "ize").replace("yse", "yze")
                .replace("tre", "ter").replace("lled", "led").replace("lling", "ling")
                .replace("ogue", "og").replace("ence", "ense");
    }

    /** Optimal string alignment distance: Levenshtein plus a swap of two neighbouring letters as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
