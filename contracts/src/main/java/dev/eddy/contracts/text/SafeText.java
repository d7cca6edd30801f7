package dev.eddy.contracts.text;

/**
 * Makes any text (an error message, a destination's answer, a rejected row's reason) safe to store in PostgreSQL
 * and to publish on an event: PostgreSQL refuses NUL in {@code text}, a lone surrogate cannot be encoded as UTF-8,
 * and a megabyte-long answer would bloat the run history and overflow a broker's record limit.
 */
public final class SafeText {

    /** The bound for a run's error text (stored in the run history and published on its terminal event). */
    public static final int ERROR_MAX_CHARS = 16_000;
    /** The bound for a rejected row's reason. */
    public static final int REASON_MAX_CHARS = 4_000;

    private static final int MIN_MAX_CHARS = 64;

    private SafeText() {
    }

    /**
     * The text with NUL and the other C0 control characters except tab and newline dropped, every unpaired
     * surrogate replaced by U+FFFD, and, when longer than {@code maxChars}, cut to at most {@code maxChars}
     * characters ending in "… (truncated, N characters)" (N: the original length). Null stays null.
     *
     * @param maxChars at least 64, so the truncation marker always fits
     */
    public static String forStorage(String text, int maxChars) {
        if (maxChars < MIN_MAX_CHARS) {
            throw new IllegalArgumentException("maxChars must be at least " + MIN_MAX_CHARS + ", was " + maxChars);
        }
        if (text == null) {
            return null;
        }
        int length = text.length();
        StringBuilder out = null;
        int i = 0;
        for (; i < length; i++) {
            char ch = text.charAt(i);
            boolean pair = Character.isHighSurrogate(ch) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1));
            boolean drop = ch < 0x20 && ch != '\t' && ch != '\n';
            boolean replace = !pair && Character.isSurrogate(ch);
            if (out == null && (drop || replace || i >= maxChars)) {
                out = new StringBuilder(Math.min(length, maxChars + 2)).append(text, 0, i);
            }
            if (out == null) {
                if (pair) {
                    i++;
                }
                continue;
            }
            if (out.length() > maxChars) {
                break; // enough to cut from: the rest is only counted in the marker
            }
            if (pair) {
                out.append(ch).append(text.charAt(++i));
            } else if (replace) {
                out.append('\uFFFD');
            } else if (!drop) {
                out.append(ch);
            }
        }
        if (out == null) {
            return text;
        }
        if (i >= length && out.length() <= maxChars) {
            return out.toString();
        }
        String marker = "… (truncated, " + length + " characters)";
        int keep = maxChars - marker.length();
        if (Character.isHighSurrogate(out.charAt(keep - 1))) {
            keep--; // never split a pair into a lone surrogate
        }
        out.setLength(keep);
        return out.append(marker).toString();
    }
}
