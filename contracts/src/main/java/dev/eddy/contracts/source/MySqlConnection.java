package dev.eddy.contracts.source;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;

/**
 * How Eddy connects to a MySQL source through MySQL Connector/J, shared so that the API's test and preview
 * read exactly as the extractor does: the session runs with {@code time_zone = '+00:00'} (so {@code TIMESTAMP}
 * values are read as the instants they are, whatever the time zones of the server and of Eddy's hosts, and
 * {@code NOW()} in a model is UTC), {@code YEAR} is a number, the zero date {@code '0000-00-00'} reads as NULL.
 */
public final class MySqlConnection {

    public static final int DEFAULT_PORT = 3306;
    /** Connector/J's TLS modes, for the optional {@code sslMode} setting ({@code PREFERRED} when absent). */
    public static final Set<String> SSL_MODES = Set.of("DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY");

    private MySqlConnection() {
    }

    /**
     * The JDBC URL of a validated address: host, port and database only, so no option can come from the URL
     * (Connector/J lets URL options override the properties).
     *
     * @param connectHost the address to connect to (the host's checked address), or the host itself
     */
    public static String url(SourceAddress address, String connectHost) {
        return address.jdbcUrl("mysql", connectHost);
    }

    /**
     * The connection properties.
     *
     * @param password    null for none
     * @param sslMode     null or blank for Connector/J's default
     * @param timeout     how long connecting may take
     * @param program     the name the server shows for the connection
     */
    public static Properties properties(String user, String password, String sslMode, Duration timeout, String program) {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", Long.toString(Math.max(1000, timeout.toMillis())));
        props.setProperty("connectionAttributes", "program_name:" + program);
        props.setProperty("connectionTimeZone", "+00:00");
        props.setProperty("sessionVariables", "time_zone='+00:00'");
        props.setProperty("yearIsDateType", "false");
        props.setProperty("zeroDateTimeBehavior", "CONVERT_TO_NULL");
        props.setProperty("characterEncoding", "UTF-8");
        // a server (or a man in the middle) may ask the client for any of its files: never answer
        props.setProperty("allowLoadLocalInfile", "false");
        props.setProperty("allowUrlInLocalInfile", "false");
        // MariaDB Connector/J's name for the same switch, pinned in case a MariaDB driver serves the URL
        props.setProperty("allowLocalInfile", "false");
        // a server's serialized Java objects are never deserialized, and a model is one statement
        props.setProperty("autoDeserialize", "false");
        props.setProperty("allowMultiQueries", "false");
        // the RSA key of a caching_sha2 server is not fetched over an unencrypted connection
        props.setProperty("allowPublicKeyRetrieval", "false");
        if (sslMode != null && !sslMode.isBlank()) {
            props.setProperty("sslMode", sslMode);
        }
        return props;
    }

    /**
     * The message of a failed connection attempt. Connector/J explains a refused or timed-out connection in a
     * paragraph ("Communications link failure ..."); the network's own reason (its cause) says more, so it comes
     * first, after where Eddy tried to connect. Other failures (a refused login) are the server's answer as it is.
     */
    public static String connectFailure(String host, String port, SQLException e) {
        if (e.getSQLState() == null || !e.getSQLState().startsWith("08")) {
            return e.getMessage();
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String reason = root == e || root.getMessage() == null
                ? (e.getMessage() == null ? e.getSQLState() : e.getMessage().lines().findFirst().orElse(""))
                : root.getMessage();
        return "cannot reach the MySQL server at " + host + ":" + port + ": " + reason;
    }
}
