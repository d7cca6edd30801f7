package dev.eddy.contracts.source;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A user's {@code jdbc:postgresql://host[:port]/database[?options]} (the postgres destination's {@code jdbcUrl}),
 * taken apart so the connection is built from validated parts: one host, a port, a database name, and only
 * options that load no class and read no file (pgjdbc's {@code socketFactory}, {@code sslfactory},
 * {@code sslhostnameverifier}, {@code sslpasswordcallback}, {@code loggerFile}, {@code sslkey}, ... are refused),
 * and never a {@code password}, which belongs in the sealed {@code password} field.
 *
 * @param options the allowed options, to be passed as connection properties
 */
public record PostgresJdbcUrl(SourceAddress address, Map<String, String> options) {

    /** Options a user may set in the URL. */
    public static final Set<String> OPTIONS = Set.of("sslmode", "ApplicationName", "currentSchema", "connectTimeout",
            "socketTimeout", "loginTimeout", "tcpKeepAlive", "reWriteBatchedInserts", "prepareThreshold", "targetServerType", "user");
    private static final String PREFIX = "jdbc:postgresql://";

    /** @throws InvalidSourceAddressException with field {@code jdbcUrl} and what is wrong */
    public static PostgresJdbcUrl parse(String url) throws InvalidSourceAddressException {
        if (url == null || !url.startsWith(PREFIX)) {
            throw new InvalidSourceAddressException("jdbcUrl", "must be jdbc:postgresql://host[:port]/database[?options]");
        }
        String rest = url.substring(PREFIX.length());
        int query = rest.indexOf('?');
        String authorityAndPath = query < 0 ? rest : rest.substring(0, query);
        int slash = authorityAndPath.indexOf('/');
        if (slash < 0) {
            throw new InvalidSourceAddressException("jdbcUrl", "must name a database: jdbc:postgresql://host[:port]/database");
        }
        String authority = authorityAndPath.substring(0, slash);
        String database = authorityAndPath.substring(slash + 1);
        String host = authority;
        String port = null;
        int close = authority.indexOf(']');
        int colon = authority.lastIndexOf(':');
        if (authority.startsWith("[") && close > 0) {
            host = authority.substring(0, close + 1);
            port = close + 1 < authority.length() && authority.charAt(close + 1) == ':' ? authority.substring(close + 2) : null;
        } else if (colon >= 0 && authority.indexOf(':') == colon) {
            host = authority.substring(0, colon);
            port = authority.substring(colon + 1);
        }
        Map<String, Object> parts = new LinkedHashMap<>();
        parts.put("host", host);
        if (port != null) {
            parts.put("port", port);
        }
        parts.put("database", database);
        SourceAddress address;
        try {
            address = SourceAddress.of(parts, PostgresConnection.DEFAULT_PORT);
        } catch (InvalidSourceAddressException e) {
            throw new InvalidSourceAddressException("jdbcUrl", "has a " + e.field() + " that " + e.problem());
        }
        Map<String, String> options = new LinkedHashMap<>();
        if (query >= 0) {
            for (String pair : rest.substring(query + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (name.equalsIgnoreCase("password")) {
                    throw new InvalidSourceAddressException("jdbcUrl", "must not carry the password: put it in the password field,"
                            + " which Eddy seals");
                }
                if (!OPTIONS.contains(name)) {
                    throw new InvalidSourceAddressException("jdbcUrl", "has option '" + name + "', which Eddy does not pass on;"
                            + " allowed: " + String.join(", ", new java.util.TreeSet<>(OPTIONS)));
                }
                options.put(name, value);
            }
        }
        String sslMode = options.get("sslmode");
        if (sslMode != null && !PostgresConnection.SSL_MODES.contains(sslMode)) {
            throw new InvalidSourceAddressException("jdbcUrl", "has sslmode '" + sslMode + "'; one of " + PostgresConnection.SSL_MODES);
        }
        return new PostgresJdbcUrl(address, Map.copyOf(options));
    }
}
