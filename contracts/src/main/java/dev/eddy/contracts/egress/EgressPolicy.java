package dev.eddy.contracts.egress;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which addresses Eddy may connect to on a user's behalf (destination URLs, source hosts, Kafka destination
 * brokers, Git remotes), in one place so the API's validation and every connector agree.
 *
 * <p>Denied by default: link-local addresses ({@code 169.254.0.0/16}, {@code fe80::/10}), where clouds serve
 * instance metadata and credentials, and the other metadata addresses ({@code fd00:ec2::254} on AWS,
 * {@code 100.100.100.200} on Alibaba Cloud); and Eddy's own ports ({@code deny} entries, filled by the
 * launcher with the suite's internal ports). Everything else is allowed: private networks and loopback keep
 * working, since self-hosted warehouses live there. {@code allow} entries open denied addresses and win over
 * every denial.
 *
 * <p>Rule syntax (both lists): a CIDR ({@code 10.0.0.0/8}, {@code fd00::/8}), an address with an optional
 * port ({@code 169.254.10.1}, {@code 169.254.10.1:8080}, {@code [fe80::1]:443}), a host name with a port
 * (allow only: {@code metadata.internal:80}), or {@code :port} (that port on this host: loopback, the
 * unspecified address and this host's own interface addresses).
 *
 * <p>Two checks: {@link #literalProblem} at validation (an IP literal or {@code localhost}; names are not
 * looked up there), and {@link #resolve} right before connecting, which resolves the name, checks every
 * address and answers them so the caller connects to a checked one (DNS rebinding cannot swap it).
 */
public final class EgressPolicy {

    /** Denied unless allowed: link-local and cloud metadata addresses. */
    public static final List<String> ALWAYS_DENIED = List.of("169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128",
            "100.100.100.200/32");

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern NUMERIC = Pattern.compile("[0-9.xX]+");

    private final List<Rule> allow;
    private final List<Rule> deny;

    private EgressPolicy(List<Rule> allow, List<Rule> deny) {
        this.allow = allow;
        this.deny = deny;
    }

    /** The policy a service's {@code eddy.egress.*} settings describe. */
    public static EgressPolicy of(EgressSettings settings) {
        return of(settings.allow().orElse(List.of()), settings.deny().orElse(List.of()));
    }

    /**
     * A policy from settings.
     *
     * @param allow entries that open addresses (e.g. {@code EDDY_EGRESS_ALLOW})
     * @param deny  entries denied besides {@link #ALWAYS_DENIED} (the launcher lists Eddy's own ports here)
     * @throws IllegalArgumentException naming an entry that is not a rule
     */
    public static EgressPolicy of(Collection<String> allow, Collection<String> deny) {
        List<Rule> denied = new ArrayList<>();
        for (String rule : ALWAYS_DENIED) {
            denied.add(Rule.parse(rule, false));
        }
        for (String rule : deny == null ? List.<String>of() : deny) {
            if (!rule.isBlank()) {
                denied.add(Rule.parse(rule.strip(), false));
            }
        }
        List<Rule> allowed = new ArrayList<>();
        for (String rule : allow == null ? List.<String>of() : allow) {
            if (!rule.isBlank()) {
                allowed.add(Rule.parse(rule.strip(), true));
            }
        }
        return new EgressPolicy(List.copyOf(allowed), List.copyOf(denied));
    }

    /** The default policy: only {@link #ALWAYS_DENIED}. */
    public static EgressPolicy defaults() {
        return of(List.of(), List.of());
    }

    /**
     * Why connecting to {@code host:port} is refused, judged without looking the name up: for an IP literal
     * (with or without brackets) or {@code localhost}; empty for other names (they are checked at connect time).
     */
    public Optional<String> literalProblem(String host, int port) {
        if (host == null || host.isBlank()) {
            return Optional.empty();
        }
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (allowsName(bare, port)) {
            return Optional.empty();
        }
        List<InetAddress> addresses = new ArrayList<>();
        if ("localhost".equalsIgnoreCase(bare) || bare.toLowerCase(Locale.ROOT).endsWith(".localhost")) {
            addresses.add(InetAddress.getLoopbackAddress());
        } else if (bare.indexOf(':') >= 0 || NUMERIC.matcher(bare).matches()) {
            try {
                // a text with ':' or only digits and dots is parsed as a literal, never looked up
                addresses.add(InetAddress.getByName(bare));
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
        for (InetAddress address : addresses) {
            Optional<String> refusal = refusal(bare, address, port);
            if (refusal.isPresent()) {
                return refusal;
            }
        }
        return Optional.empty();
    }

    /** {@link #literalProblem} of a URL's host and port (80/443 by scheme when absent); empty for no host. */
    public Optional<String> urlProblem(URI url) {
        if (url == null || url.getHost() == null) {
            return Optional.empty();
        }
        return literalProblem(url.getHost(), port(url));
    }

    /**
     * Resolves {@code host} and checks every address it has; answers them (the caller connects to one of these,
     * never to a fresh lookup of the name).
     *
     * @throws EgressDeniedException when any address is denied (a name must not mix allowed and denied answers)
     * @throws UnknownHostException  when the name has no address
     */
    public List<InetAddress> resolve(String host, int port) throws EgressDeniedException, UnknownHostException {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses = InetAddress.getAllByName(bare);
        for (InetAddress address : addresses) {
            check(bare, address, port);
        }
        return List.of(addresses);
    }

    /** Checks one resolved address of {@code host}. */
    public void check(String host, InetAddress address, int port) throws EgressDeniedException {
        Optional<String> refusal = refusal(host, address, port);
        if (refusal.isPresent()) {
            throw new EgressDeniedException(refusal.get());
        }
    }

    /** Checks a URL's host right before sending to it; answers the checked addresses. */
    public List<InetAddress> resolve(URI url) throws EgressDeniedException, UnknownHostException {
        if (url.getHost() == null) {
            throw new EgressDeniedException("the URL " + url.getScheme() + "://... has no host");
        }
        return resolve(url.getHost(), port(url));
    }

    /** The port a URL connects to. */
    public static int port(URI url) {
        if (url.getPort() > 0) {
            return url.getPort();
        }
        return "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }

    private Optional<String> refusal(String host, InetAddress address, int port) {
        if (allowsName(host, port)) {
            return Optional.empty();
        }
        for (Rule rule : allow) {
            if (rule.matches(address, port)) {
                return Optional.empty();
            }
        }
        for (Rule rule : deny) {
            if (rule.matches(address, port)) {
                String where = address.getHostAddress() + (rule.port >= 0 ? ":" + port : "");
                return Optional.of(rule.local
                        ? "is one of Eddy's own ports (" + host + ":" + port + "); Eddy does not connect to its internal services"
                        + " on a user's behalf (eddy.egress.allow opens it)"
                        : "resolves to " + where + ", a link-local or cloud metadata address (" + rule.text + ") Eddy does not"
                        + " connect to (eddy.egress.allow opens it)");
            }
        }
        return Optional.empty();
    }

    private boolean allowsName(String host, int port) {
        for (Rule rule : allow) {
            if (rule.name != null && rule.name.equalsIgnoreCase(host) && (rule.port < 0 || rule.port == port)) {
                return true;
            }
        }
        return false;
    }

    /** One entry: a network with a prefix length, this host, or (allow only) a host name; any port when -1. */
    private static final class Rule {
        final String text;
        final byte[] network;
        final int prefix;
        final int port;
        final boolean local;
        final String name;

        private Rule(String text, byte[] network, int prefix, int port, boolean local, String name) {
            this.text = text;
            this.network = network;
            this.prefix = prefix;
            this.port = port;
            this.local = local;
            this.name = name;
        }

        static Rule parse(String text, boolean allowNames) {
            try {
                if (text.startsWith(":")) {
                    return new Rule(text, null, 0, port(text, text.substring(1)), true, null);
                }
                int slash = text.indexOf('/');
                if (slash > 0) {
                    byte[] network = literal(text, text.substring(0, slash)).getAddress();
                    int prefix = Integer.parseInt(text.substring(slash + 1));
                    if (prefix < 0 || prefix > network.length * 8) {
                        throw invalid(text);
                    }
                    return new Rule(text, network, prefix, -1, false, null);
                }
                String host = text;
                int port = -1;
                if (text.startsWith("[")) {
                    int close = text.indexOf(']');
                    if (close < 0) {
                        throw invalid(text);
                    }
                    host = text.substring(1, close);
                    if (close + 1 < text.length()) {
                        if (text.charAt(close + 1) != ':') {
                            throw invalid(text);
                        }
                        port = port(text, text.substring(close + 2));
                    }
                } else if (text.indexOf(':') == text.lastIndexOf(':') && text.indexOf(':') > 0) {
                    host = text.substring(0, text.indexOf(':'));
                    port = port(text, text.substring(text.indexOf(':') + 1));
                }
                if (host.indexOf(':') >= 0 || IPV4.matcher(host).matches()) {
                    byte[] address = literal(text, host).getAddress();
                    return new Rule(text, address, address.length * 8, port, false, null);
                }
                if (!allowNames || port < 0 || !host.matches("[A-Za-z0-9_.-]{1,253}")) {
                    throw new IllegalArgumentException("egress rule '" + text + "' is not a CIDR, an address[:port] or :port"
                            + (allowNames ? " (a host name needs a port: name:443)" : ""));
                }
                return new Rule(text, null, 0, port, false, host);
            } catch (NumberFormatException e) {
                throw invalid(text);
            }
        }

        boolean matches(InetAddress address, int port) {
            if (this.port >= 0 && this.port != port) {
                return false;
            }
            if (name != null) {
                return false;
            }
            if (local) {
                return isThisHost(address);
            }
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (bytes[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (bytes[full] & mask) == (network[full] & mask);
        }

        private static boolean isThisHost(InetAddress address) {
            if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
                return true;
            }
            try {
                return NetworkInterface.getByInetAddress(address) != null;
            } catch (SocketException e) {
                return false;
            }
        }

        private static InetAddress literal(String rule, String text) {
            if (text.indexOf(':') < 0 && !IPV4.matcher(text).matches()) {
                throw invalid(rule);
            }
            try {
                InetAddress address = InetAddress.getByName(text);
                if (text.indexOf(':') < 0 && !(address instanceof Inet4Address)) {
                    throw invalid(rule);
                }
                return address;
            } catch (UnknownHostException e) {
                throw invalid(rule);
            }
        }

        private static int port(String rule, String text) {
            int port = Integer.parseInt(text);
            if (port < 1 || port > 65535) {
                throw invalid(rule);
            }
            return port;
        }

        private static IllegalArgumentException invalid(String rule) {
            return new IllegalArgumentException("egress rule '" + rule + "' is not a CIDR, an address[:port], a host:port or :port");
        }
    }
}
