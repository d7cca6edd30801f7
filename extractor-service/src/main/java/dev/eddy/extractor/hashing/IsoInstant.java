package dev.eddy.extractor.hashing;

import java.time.Instant;
import java.time.LocalDate;

/**
 * {@link Instant#toString()} without the formatter machinery, which costs more than the rest of a row's
 * JSON: ISO-8601 UTC, seconds always, the fraction in groups of three digits as needed. Years outside
 * 0000..9999 are handed to {@code Instant.toString()}.
 */
final class IsoInstant {

    private static final long MIN_SECOND = -62167219200L; // 0000-01-01T00:00:00Z
    private static final long MAX_SECOND = 253402300799L; // 9999-12-31T23:59:59Z

    private IsoInstant() {
    }

    static String format(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < MIN_SECOND || seconds > MAX_SECOND) {
            return instant.toString();
        }
        long days = Math.floorDiv(seconds, 86_400);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400);
        LocalDate date = LocalDate.ofEpochDay(days);
        char[] out = new char[30];
        int n = 0;
        n = digits(out, n, date.getYear(), 4);
        out[n++] = '-';
        n = digits(out, n, date.getMonthValue(), 2);
        out[n++] = '-';
        n = digits(out, n, date.getDayOfMonth(), 2);
        out[n++] = 'T';
        n = digits(out, n, secondOfDay / 3600, 2);
        out[n++] = ':';
        n = digits(out, n, secondOfDay / 60 % 60, 2);
        out[n++] = ':';
        n = digits(out, n, secondOfDay % 60, 2);
        int nano = instant.getNano();
        if (nano > 0) {
            out[n++] = '.';
            if (nano % 1_000_000 == 0) {
                n = digits(out, n, nano / 1_000_000, 3);
            } else if (nano % 1000 == 0) {
                n = digits(out, n, nano / 1000, 6);
            } else {
                n = digits(out, n, nano, 9);
            }
        }
        out[n++] = 'Z';
        return new String(out, 0, n);
    }

    private static int digits(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
        return at + width;
    }
}
