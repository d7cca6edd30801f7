package dev.eddy.contracts.source;

import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How DuckDB reports a file held by someone else, read the same way by the extractor and config-service (which
 * open a DuckDB source in different processes): whether an open failed on a lock, and who holds it.
 */
public final class DuckDbLocks {

    /** DuckDB names the holder: {@code Conflicting lock is held in /usr/bin/duckdb (PID 4242) by user ann.} */
    private static final Pattern HOLDER = Pattern.compile(
            "Conflicting lock is held in (.+?) \\(PID (\\d+)\\)(?: by user (\\S+?))?\\.?(?:\\s|$)");

    private DuckDbLocks() {
    }

    /**
     * Another process holds a conflicting lock on the file, or this process has it open elsewhere with another
     * configuration (DuckDB keeps one instance per file and process).
     */
    public static boolean isLockConflict(SQLException e) {
        String message = e.getMessage();
        return message != null && (message.contains("Could not set lock on file")
                || message.contains("same database file with a different configuration")
                || message.contains("Unique file handle conflict"));
    }

    /** The holding process as DuckDB names it ({@code process 4242 (/usr/bin/duckdb, user ann)}), or a generic phrase. */
    public static String holder(String message) {
        Matcher m = message == null ? null : HOLDER.matcher(message);
        if (m == null || !m.find()) {
            return "another process or connection";
        }
        return "process " + m.group(2) + " (" + m.group(1) + (m.group(3) == null ? "" : ", user " + m.group(3)) + ")";
    }

    /** The first line of DuckDB's message (the rest repeats it with hints). */
    public static String firstLine(String message) {
        int newline = message == null ? -1 : message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
