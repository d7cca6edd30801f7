package dev.eddy.config.gitsync;

/** Credentials for the repository, held only sealed at rest; never returned by the API nor logged. */
public record GitCredentials(String username, String token, String sshPrivateKey) {

    @Override
    public String toString() {
        return "GitCredentials[username=" + username + ", token=" + (token == null ? "none" : "***")
                + ", sshPrivateKey=" + (sshPrivateKey == null ? "none" : "***") + "]";
    }
}
