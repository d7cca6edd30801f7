package dev.eddy.config.gitsync;

/**
 * Credentials for the repository, held only sealed at rest; never returned by the API nor logged. HTTPS uses
 * {@code username} and {@code token}; SSH uses {@code sshPrivateKey} (and {@code username} when the URL names no
 * user) and trusts only the server keys in {@code knownHosts} (known_hosts lines; pinned at setup when not given).
 */
public record GitCredentials(String username, String token, String sshPrivateKey, String knownHosts) {

    /** The same credentials trusting exactly these known_hosts lines. */
    GitCredentials withKnownHosts(String lines) {
        return new GitCredentials(username, token, sshPrivateKey, lines);
    }

    @Override
    public String toString() {
        return "GitCredentials[username=" + username + ", token=" + (token == null ? "none" : "***")
                + ", sshPrivateKey=" + (sshPrivateKey == null ? "none" : "***") + "]";
    }
}
