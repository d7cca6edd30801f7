package dev.eddy.contracts.source;

import java.time.Duration;
import java.util.Properties;
import java.util.Set;

/**
 * How Eddy connects to a PostgreSQL source through pgjdbc, shared by the extractor and the API's test and
 * preview. The URL holds the validated host, port and database only (pgjdbc lets URL options override the
 * properties); the properties are Eddy's own: pgjdbc's class-loading and file options ({@code socketFactory},
 * {@code sslfactory}, {@code sslhostnameverifier}, {@code sslpasswordcallback}, {@code loggerFile},
 * {@code authenticationPluginClassName}, ...) never come from a user.
 */
public final class PostgresConnection {

    public static final int DEFAULT_PORT = 5432;
    /** pgjdbc's TLS modes, for the optional {@code sslmode} setting (pgjdbc's {@code prefer} when absent). */
    public static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    private PostgresConnection() {
    }

    /**
     * The JDBC URL of a validated address.
     *
     * @param connectHost the address to connect to (the host's checked address), or the host itself
     */
    public static String url(SourceAddress address, String connectHost) {
        return address.jdbcUrl("postgresql", connectHost);
    }

    /**
     * The connection properties.
     *
     * @param password null for none
     * @param sslMode  null or blank for pgjdbc's default; otherwise one of {@link #SSL_MODES}
     * @param timeout  how long connecting and logging in may take
     * @param program  the name the server shows for the connection
     * @param readOnly true for a session that only reads (models, previews): every transaction in it is read-only
     */
    public static Properties properties(String user, String password, String sslMode, Duration timeout, String program,
                                        boolean readOnly) {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        long seconds = Math.max(1, timeout.toSeconds());
        props.setProperty("connectTimeout", Long.toString(seconds));
        props.setProperty("loginTimeout", Long.toString(seconds));
        props.setProperty("ApplicationName", program);
        if (sslMode != null && !sslMode.isBlank()) {
            props.setProperty("sslmode", sslMode);
        }
        if (readOnly) {
            // besides the caller's setReadOnly: a transaction the model's SQL starts itself is read-only too
            props.setProperty("options", "-c default_transaction_read_only=on");
        }
        return props;
    }

    /** Whether the TLS mode verifies the server's name, so a certificate (not the address) proves whom Eddy reached. */
    public static boolean verifiesHostName(String sslMode) {
        return "verify-full".equals(sslMode);
    }
}
