package dev.eddy.contracts.failure;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Failure texts that are safe to put anywhere (a Kafka header, a PostgreSQL text column, a JSON answer), whatever
 * the failure quoted: control characters (NUL above all, which PostgreSQL refuses in text) and unpaired surrogates
 * (which are not valid UTF-8) become U+FFFD, and the text is cut to a number of UTF-8 bytes.
 */
public final class FailureText {

    /** A few KB: enough for a cause chain, small next to any record. */
    public static final int DEFAULT_MAX_BYTES = 4096;
    private static final String CUT = "… (cut)";
    private static final char REPLACEMENT = '\uFFFD';

    private FailureText() {
    }

    /**
     * The text with control characters other than tab, line feed and carriage return, and unpaired surrogates,
     * replaced by U+FFFD, cut (on a character boundary, marked "… (cut)") so its UTF-8 form has at most
     * {@code maxBytes} bytes; null stays null.
     */
    public static String safe(String text, int maxBytes) {
        if (maxBytes < 32) {
            throw new IllegalArgumentException("maxBytes must be at least 32, was " + maxBytes);
        }
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), maxBytes));
        int bytes = 0;
        int budget = maxBytes - CUT.getBytes(StandardCharsets.UTF_8).length;
        int cutAt = -1;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int width = Character.charCount(cp);
            if (Character.isSurrogate(text.charAt(i)) && width == 1
                    || Character.isISOControl(cp) && cp != '\t' && cp != '\n' && cp != '\r') {
                cp = REPLACEMENT;
            }
            int size = utf8Length(cp);
            if (cutAt < 0 && bytes + size > budget) {
                cutAt = out.length();
            }
            if (bytes + size > maxBytes) {
                out.setLength(Math.max(0, cutAt));
                return out.append(CUT).toString();
            }
            out.appendCodePoint(cp);
            bytes += size;
            i += width;
        }
        return out.toString();
    }

    /** {@link #safe(String, int)} with {@link #DEFAULT_MAX_BYTES}. */
    public static String safe(String text) {
        return safe(text, DEFAULT_MAX_BYTES);
    }

    /**
     * The failure and its causes on one line, e.g. {@code IllegalStateException: the broker refused the event;
     * caused by RecordTooLargeException: The message is 2000000 bytes ...}, made {@link #safe safe} and cut to
     * {@code maxBytes}.
     */
    public static String describe(Throwable failure, int maxBytes) {
        if (failure == null) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        String previousMessage = null;
        for (Throwable t = failure; t != null && seen.add(t) && text.length() < 4 * maxBytes; t = t.getCause()) {
            String message = t.getMessage();
            // a wrapper that only repeats its cause's toString() adds nothing
            if (previousMessage != null && previousMessage.contains(t.getClass().getSimpleName())
                    && (message == null || previousMessage.contains(message))) {
                previousMessage = message;
                continue;
            }
            if (!text.isEmpty()) {
                text.append("; caused by ");
            }
            text.append(t.getClass().getSimpleName());
            if (message != null && !message.isBlank()) {
                text.append(": ").append(message);
            }
            previousMessage = message;
        }
        return safe(text.toString(), maxBytes);
    }

    /** {@link #describe(Throwable, int)} with {@link #DEFAULT_MAX_BYTES}. */
    public static String describe(Throwable failure) {
        return describe(failure, DEFAULT_MAX_BYTES);
    }

    private static int utf8Length(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }
}
