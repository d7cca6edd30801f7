package dev.eddy.contracts.source;

import dev.eddy.contracts.egress.EgressDeniedException;
import dev.eddy.contracts.egress.EgressPolicy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a networked source (or database destination) lives: a host, a port and a database, each validated so
 * that a JDBC URL built from them holds exactly these three parts. Drivers read options from the URL and let
 * them override the connection properties ({@code evil:3306/x?allowLoadLocalInfile=true#} as a "host" turns on
 * file reads for a rogue MySQL server), so the URL is never built from unchecked text: shared so that the API
 * answers 422 on exactly what the extractor and the API's probe would refuse.
 *
 * @param host     a DNS name or an IPv4 literal, or an IPv6 literal without brackets
 * @param port     1-65535
 * @param database the database name
 */
public record SourceAddress(String host, int port, String database) {

    /** A DNS name (labels of letters, digits, '-' and '_') or an IPv4 literal, which has the same shape. */
    private static final Pattern DNS_NAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    /**
     * Database and user names: letters, digits and {@code _ . $ -} (and {@code @} for users, as in
     * {@code user@server} of managed services); never URL syntax ({@code ? & ; / # %}), spaces or control
     * characters.
     */
    private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z0-9_.$-]{1,128}");
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9_.$@+-]{1,128}");

    /** Why {@code host} is not a host name or address, or empty when it is. */
    public static Optional<String> hostProblem(String host) {
        if (host == null || host.isBlank()) {
            return Optional.of("is required");
        }
        if (ipv6Literal(host).isPresent()) {
            return Optional.empty();
        }
        if (!DNS_NAME.matcher(host).matches()) {
            return Optional.of("must be a host name or an IP address (letters, digits, '.', '-', or an IPv6 address in"
                    + " [brackets]); no port, path, '?', '#', '@', ';' or spaces");
        }
        return Optional.empty();
    }

    /** Why {@code port} (a number or numeric text; null for the default) is not a port, or empty when it is. */
    public static Optional<String> portProblem(Object port) {
        return port == null || parsePort(port) > 0 ? Optional.empty() : Optional.of("must be a port number (1-65535)");
    }

    /** Why {@code database} is not a database name Eddy connects to, or empty when it is. */
    public static Optional<String> databaseProblem(String database) {
        if (database == null || database.isBlank()) {
            return Optional.of("is required");
        }
        return DATABASE_NAME.matcher(database).matches() ? Optional.empty()
                : Optional.of("must be 1-128 letters, digits or '_', '.', '$', '-' (no '?', '&', ';', '/', '#', '%' or spaces)");
    }

    /** Why {@code user} is not a user name Eddy connects as, or empty when it is. */
    public static Optional<String> userProblem(String user) {
        if (user == null || user.isBlank()) {
            return Optional.of("is required");
        }
        return USER_NAME.matcher(user).matches() ? Optional.empty()
                : Optional.of("must be 1-128 letters, digits or '_', '.', '$', '@', '+', '-' (no '?', '&', ';', '/', '#' or spaces)");
    }

    /**
     * Every problem of a configuration's {@code host}, {@code port}, {@code database} and {@code user}, by field
     * name, in that order; empty when an address (and a user) can be built from them.
     */
    public static Map<String, String> problems(Map<String, ?> configuration) {
        Map<String, String> problems = new LinkedHashMap<>();
        Object host = configuration.get("host");
        Object database = configuration.get("database");
        Object user = configuration.get("user");
        hostProblem(host instanceof String s ? s : null).ifPresent(p -> problems.put("host", host != null && !(host instanceof String) ? "must be a string" : p));
        portProblem(configuration.get("port")).ifPresent(p -> problems.put("port", p));
        databaseProblem(database instanceof String s ? s : null).ifPresent(p -> problems.put("database", database != null && !(database instanceof String) ? "must be a string" : p));
        userProblem(user instanceof String s ? s : null).ifPresent(p -> problems.put("user", user != null && !(user instanceof String) ? "must be a string" : p));
        return problems;
    }

    /**
     * The address of a configuration, validated.
     *
     * @param defaultPort the port when the configuration has none
     * @throws InvalidSourceAddressException naming the first field at fault
     */
    public static SourceAddress of(Map<String, ?> configuration, int defaultPort) throws InvalidSourceAddressException {
        Map<String, String> problems = problems(configuration);
        problems.remove("user");
        if (!problems.isEmpty()) {
            Map.Entry<String, String> first = problems.entrySet().iterator().next();
            throw new InvalidSourceAddressException(first.getKey(), first.getValue());
        }
        Object port = configuration.get("port");
        String host = (String) configuration.get("host");
        return new SourceAddress(ipv6Literal(host).orElse(host), port == null ? defaultPort : parsePort(port),
                (String) configuration.get("database"));
    }

    /** The user of a configuration, validated. */
    public static String user(Map<String, ?> configuration) throws InvalidSourceAddressException {
        Object user = configuration.get("user");
        String problem = userProblem(user instanceof String s ? s : null).orElse(null);
        if (problem != null) {
            throw new InvalidSourceAddressException("user", problem);
        }
        return (String) user;
    }

    /** {@code jdbc:<scheme>://host:port/database}, with an IPv6 host in brackets; nothing else. */
    public String jdbcUrl(String scheme) {
        return jdbcUrl(scheme, host);
    }

    /** The URL of this address, but connecting to {@code address} (the host's checked address) instead of the name. */
    public String jdbcUrl(String scheme, String connectHost) {
        String hostPart = connectHost.indexOf(':') >= 0 ? "[" + connectHost + "]" : connectHost;
        return "jdbc:" + scheme + "://" + hostPart + ":" + port + "/" + database;
    }

    /**
     * Where to connect: the host resolved and checked against {@code policy}, as the literal of its first
     * address, so the driver's own lookup cannot answer another (DNS rebinding); the host name itself when TLS
     * verifies the name ({@code verifiesName}), since then the certificate proves whom Eddy reached.
     *
     * @throws EgressDeniedException when the host (any of its addresses) is denied
     * @throws UnknownHostException  when the host has no address
     */
    public String connectHost(EgressPolicy policy, boolean verifiesName) throws EgressDeniedException, UnknownHostException {
        List<InetAddress> addresses = policy.resolve(host, port);
        return verifiesName ? host : literal(addresses.get(0));
    }

    /** The literal text of an address, as a URL's host part takes it (without brackets). */
    public static String literal(InetAddress address) {
        String text = address.getHostAddress();
        int zone = text.indexOf('%');
        return address instanceof Inet6Address && zone >= 0 ? text.substring(0, zone) : text;
    }

    /** An IPv6 literal ({@code ::1} or {@code [::1]}) without its brackets, or empty when {@code host} is none. */
    private static Optional<String> ipv6Literal(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (bare.indexOf(':') < 0 || !IPV6_CHARS.matcher(bare).matches()) {
            return Optional.empty();
        }
        try {
            // a text with ':' is parsed as a literal, never looked up
            return InetAddress.getByName(bare) instanceof Inet6Address ? Optional.of(bare) : Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** The port, or -1 when {@code port} is not one. */
    private static int parsePort(Object port) {
        long value = port instanceof Number n && n.doubleValue() == n.longValue() ? n.longValue()
                : port instanceof String s && s.matches("\\d{1,5}") ? Long.parseLong(s) : -1;
        return value >= 1 && value <= 65535 ? (int) value : -1;
    }
}
