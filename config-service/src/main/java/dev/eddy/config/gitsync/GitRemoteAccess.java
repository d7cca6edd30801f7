package dev.eddy.config.gitsync;

import dev.eddy.contracts.egress.DestinationTargets;
import dev.eddy.contracts.egress.EgressDeniedException;
import dev.eddy.contracts.egress.EgressPolicy;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * How Eddy reaches the user's repository, applied to every JGit remote command: HTTPS with a token, or SSH with a
 * private key (Apache MINA sshd through JGit's {@code org.eclipse.jgit.ssh.apache}). The SSH client reads nothing of
 * the host's {@code ~/.ssh}: its only identity is the configured key, and it only trusts the host keys in
 * {@link GitCredentials#knownHosts()}. When none are given, the key the server shows at setup is accepted and pinned
 * (trust on first use), and every later connection must present that same key.
 */
final class GitRemoteAccess implements TransportConfigCallback, AutoCloseable {

    private final CredentialsProvider http;
    private final SshdSessionFactory ssh;
    private final HostKeys hostKeys;
    private final Path sshHome;

    private GitRemoteAccess(CredentialsProvider http, SshdSessionFactory ssh, HostKeys hostKeys, Path sshHome) {
        this.http = http;
        this.ssh = ssh;
        this.hostKeys = hostKeys;
        this.sshHome = sshHome;
    }

    /** Access with the credentials (null: none, as for {@code file://} or a public HTTPS repository). */
    static GitRemoteAccess of(GitCredentials credentials) {
        if (credentials == null) {
            return new GitRemoteAccess(null, null, null, null);
        }
        if (credentials.sshPrivateKey() == null) {
            CredentialsProvider http = credentials.token() == null ? null : new UsernamePasswordCredentialsProvider(
                    credentials.username() == null ? "x-access-token" : credentials.username(), credentials.token());
            return new GitRemoteAccess(http, null, null, null);
        }
        List<KeyPair> keys = privateKeys(credentials.sshPrivateKey());
        HostKeys hostKeys = new HostKeys(knownHosts(credentials.knownHosts()));
        try {
            // an empty home: no ssh config, identities or known_hosts of the machine Eddy runs on
            Path home = Files.createTempDirectory("eddy-git-ssh");
            SshdSessionFactory factory = new SshdSessionFactoryBuilder()
                    .setHomeDirectory(home.toFile())
                    .setSshDirectory(home.resolve(".ssh").toFile())
                    .setConfigStoreFactory((homeDir, configFile, localUser) -> null)
                    .setPreferredAuthentications("publickey")
                    .setDefaultIdentities(dir -> List.of())
                    .setDefaultKeysProvider(dir -> keys)
                    .setDefaultKnownHostsFiles(dir -> List.of())
                    .setServerKeyDatabase((homeDir, sshDir) -> hostKeys)
                    .build(null);
            return new GitRemoteAccess(null, factory, hostKeys, home);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the SSH client: " + e.getMessage(), e);
        }
    }

    /** The host and port of a remote URL (SSH 22, HTTPS 443, HTTP 80), or empty for a local one ({@code file://}). */
    static Optional<DestinationTargets.Target> remoteTarget(String repoUrl) {
        try {
            URIish uri = new URIish(repoUrl);
            if (uri.getHost() == null || "file".equalsIgnoreCase(uri.getScheme())) {
                return Optional.empty();
            }
            String scheme = uri.getScheme() == null ? "ssh" : uri.getScheme().toLowerCase(Locale.ROOT);
            int port = uri.getPort() > 0 ? uri.getPort() : scheme.startsWith("ssh") ? 22 : "https".equals(scheme) ? 443 : 80;
            return Optional.of(new DestinationTargets.Target("repoUrl", uri.getHost(), port));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /**
     * Resolves the remote's host and checks every address against the egress policy, right before a remote
     * command (JGit connects by name; the lookup it makes next is answered from the JVM's address cache).
     *
     * @throws IOException naming why the remote is refused or unknown
     */
    static void checkEgress(EgressPolicy egress, String repoUrl) throws IOException {
        Optional<DestinationTargets.Target> target = remoteTarget(repoUrl);
        if (target.isEmpty()) {
            return;
        }
        try {
            egress.resolve(target.get().host(), target.get().port());
        } catch (EgressDeniedException e) {
            throw new IOException("the Git remote " + target.get().host() + " " + e.getMessage(), e);
        }
    }

    /** True for {@code ssh://} URLs and scp-like ones ({@code git@github.com:acme/config.git}). */
    static boolean isSsh(String repoUrl) {
        try {
            URIish uri = new URIish(repoUrl);
            String scheme = uri.getScheme();
            return scheme == null ? uri.getHost() != null : scheme.toLowerCase(Locale.ROOT).startsWith("ssh");
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** The URL JGit is given: an SSH URL without a user name gets {@code username} (or {@code git}, as GitHub and GitLab want). */
    static String remoteUrl(String repoUrl, GitCredentials credentials) {
        if (!isSsh(repoUrl)) {
            return repoUrl;
        }
        try {
            URIish uri = new URIish(repoUrl);
            if (uri.getUser() != null) {
                return repoUrl;
            }
            String user = credentials == null || credentials.username() == null ? "git" : credentials.username();
            return uri.setUser(user).toString();
        } catch (URISyntaxException e) {
            return repoUrl;
        }
    }

    /** The key pairs in an unencrypted OpenSSH or PEM private key; a clear message when it is not one. */
    static List<KeyPair> privateKeys(String text) {
        try {
            Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("sshPrivateKey"),
                    new ByteArrayInputStream(text.strip().concat("\n").getBytes(StandardCharsets.UTF_8)), FilePasswordProvider.EMPTY);
            List<KeyPair> keys = new ArrayList<>();
            if (loaded != null) {
                loaded.forEach(keys::add);
            }
            if (keys.isEmpty()) {
                throw new InvalidGitCredentialsException("sshPrivateKey",
                        "is not a private key in OpenSSH or PEM format (-----BEGIN ... PRIVATE KEY-----)");
            }
            return keys;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (e instanceof InvalidGitCredentialsException invalid) {
                throw invalid;
            }
            throw new InvalidGitCredentialsException("sshPrivateKey",
                    "is not an unencrypted private key in OpenSSH or PEM format (keys with a passphrase are not supported)");
        }
    }

    /** The entries of known_hosts text (null or blank: none, which means trust on first use). */
    static List<KnownHostEntry> knownHosts(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        try {
            List<KnownHostEntry> entries = KnownHostEntry.readKnownHostEntries(new StringReader(text), true);
            List<KnownHostEntry> usable = entries == null ? List.of() : entries.stream().filter(e -> e.getKeyEntry() != null).toList();
            for (KnownHostEntry entry : usable) {
                entry.getKeyEntry().resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
            }
            if (usable.isEmpty()) {
                throw new IllegalArgumentException("no entry");
            }
            return usable;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new InvalidGitCredentialsException("knownHosts",
                    "must be lines in OpenSSH known_hosts format, such as 'github.com ssh-ed25519 AAAA...'");
        }
    }

    @Override
    public void configure(Transport transport) {
        if (transport instanceof SshTransport sshTransport && ssh != null) {
            sshTransport.setSshSessionFactory(ssh);
        } else if (http != null) {
            transport.setCredentialsProvider(http);
        }
    }

    /** The host keys this access trusts now, as known_hosts lines: the given ones, or the one pinned at first use. */
    String trustedHostKeys() {
        return hostKeys == null ? null : hostKeys.lines();
    }

    @Override
    public void close() {
        if (ssh != null) {
            ssh.close();
        }
        if (sshHome != null) {
            try (Stream<Path> files = Files.walk(sshHome)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temp folder left behind holds no secret: the key is only ever in memory
            }
        }
    }

    /** A credential that cannot be used: the field (under {@code credentials}) and why. */
    static final class InvalidGitCredentialsException extends RuntimeException {
        final String field;

        InvalidGitCredentialsException(String field, String reason) {
            super(reason);
            this.field = field;
        }
    }

    /** The SSH server keys trusted: the given known_hosts entries, or (none given) the first key seen, pinned. */
    private static final class HostKeys implements ServerKeyDatabase {
        private final List<KnownHostEntry> given;
        private final List<String> pinned = new CopyOnWriteArrayList<>();
        private final List<PinnedKey> pinnedKeys = new CopyOnWriteArrayList<>();

        HostKeys(List<KnownHostEntry> given) {
            this.given = given;
        }

        @Override
        public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
            return trusted(connectAddress);
        }

        @Override
        public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
                              Configuration config, CredentialsProvider provider) {
            List<PublicKey> trusted = trusted(connectAddress);
            if (!trusted.isEmpty() || !given.isEmpty()) {
                return trusted.stream().anyMatch(k -> KeyUtils.compareKeys(k, serverKey));
            }
            pinnedKeys.add(new PinnedKey(connectAddress, serverKey));
            pinned.add(connectAddress + " " + PublicKeyEntry.toString(serverKey));
            return true;
        }

        private List<PublicKey> trusted(String connectAddress) {
            String host = connectAddress;
            int port = 22;
            if (connectAddress.startsWith("[") && connectAddress.contains("]:")) {
                host = connectAddress.substring(1, connectAddress.indexOf(']'));
                port = Integer.parseInt(connectAddress.substring(connectAddress.indexOf("]:") + 2));
            }
            List<PublicKey> keys = new ArrayList<>();
            for (KnownHostEntry entry : given) {
                if (entry.isHostMatch(host, port)) {
                    try {
                        keys.add(entry.getKeyEntry().resolvePublicKey(null, PublicKeyEntryResolver.FAILING));
                    } catch (IOException | GeneralSecurityException e) {
                        // checked when the entries were read
                    }
                }
            }
            pinnedKeys.stream().filter(p -> p.address().equals(connectAddress)).forEach(p -> keys.add(p.key()));
            return keys;
        }

        String lines() {
            if (!given.isEmpty()) {
                return String.join("\n", given.stream().map(KnownHostEntry::getConfigLine).toList());
            }
            return pinned.isEmpty() ? null : String.join("\n", pinned);
        }

        private record PinnedKey(String address, PublicKey key) {
        }
    }
}
