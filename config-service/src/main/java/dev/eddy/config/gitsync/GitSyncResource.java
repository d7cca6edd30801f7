package dev.eddy.config.gitsync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.config.service.MalformedRequestException;
import dev.eddy.config.service.ValidationException;
import dev.eddy.contracts.egress.EgressPolicy;
import dev.eddy.contracts.secrets.SecretBox;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code /api/v1/git-sync}: set up, show, pull, resync and turn off Git Sync; credentials are never returned. */
@Path("/api/v1/git-sync")
@Produces(MediaType.APPLICATION_JSON)
public class GitSyncResource {

    static final int DEFAULT_POLL_SECONDS = 60;

    private final GitSyncStore store;
    private final GitSyncEngine engine;
    private final SecretBox secrets;
    private final EgressPolicy egress;

    public GitSyncResource(GitSyncStore store, GitSyncEngine engine, SecretBox secrets, EgressPolicy egress) {
        this.egress = egress;
        this.store = store;
        this.engine = engine;
        this.secrets = secrets;
    }

    /**
     * The setup as shown: no credentials, only whether some are set, and for SSH the server keys Eddy trusts
     * (known_hosts lines: public, so the user can check the fingerprint pinned at setup).
     */
    public record View(boolean enabled, String repoUrl, String branch, String path, int pollSeconds, boolean applyDeletes,
                       boolean credentialsSet, List<String> sshHostKeys, GitSyncStatus status) {
    }

    @GET
    public View get() {
        return store.settings().map(s -> view(s, store.status()))
                .orElse(new View(false, null, null, null, 0, false, false, null, null));
    }

    @PUT
    public View put(String body) {
        JsonNode json = parse(body);
        Map<String, String> problems = new LinkedHashMap<>();
        String repoUrl = text(json, "repoUrl");
        String branch = Optional.ofNullable(text(json, "branch")).orElse("main");
        String path = Optional.ofNullable(text(json, "path")).orElse("").replaceAll("^/+|/+$", "");
        int poll = json.path("pollSeconds").isMissingNode() || json.path("pollSeconds").isNull()
                ? DEFAULT_POLL_SECONDS : json.path("pollSeconds").asInt(-1);
        boolean applyDeletes = json.path("applyDeletes").asBoolean(false);
        if (repoUrl == null) {
            problems.put("repoUrl", "is required");
        } else if (!supportedUrl(repoUrl)) {
            problems.put("repoUrl", "must be an https, http, ssh or file URL, or scp-like (git@github.com:acme/config.git)");
        } else if (carriesPassword(repoUrl)) {
            problems.put("repoUrl", "must not carry a password or token: put it in credentials.token");
        } else {
            GitRemoteAccess.remoteTarget(repoUrl).flatMap(t -> egress.literalProblem(t.host(), t.port()))
                    .ifPresent(problem -> problems.put("repoUrl", "host " + problem));
        }
        if (path.contains("..") || path.contains("\\")) {
            problems.put("path", "must be a folder inside the repository, such as eddy or config/eddy");
        }
        if (poll < 5 || poll > 86_400) {
            problems.put("pollSeconds", "must be between 5 and 86400");
        }
        GitCredentials credentials = null;
        JsonNode c = json.get("credentials");
        if (c != null && !c.isNull()) {
            if (!c.isObject()) {
                problems.put("credentials", "must be an object {username?, token? | sshPrivateKey?, knownHosts?}");
            } else {
                credentials = new GitCredentials(text(c, "username"), text(c, "token"), text(c, "sshPrivateKey"),
                        text(c, "knownHosts"));
                checkCredentials(credentials, repoUrl, problems);
            }
        }
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
        Optional<GitSyncSettings> previous = store.settings();
        boolean sameRepository = previous.isPresent() && previous.get().repoUrl().equals(repoUrl)
                && previous.get().branch().equals(branch) && previous.get().path().equals(path);
        // credentials left out of a PUT keep the stored ones for the same repository, so they need not be re-sent
        if (credentials == null) {
            credentials = previous.filter(p -> p.repoUrl().equals(repoUrl)).map(engine::credentials).orElse(null);
        }
        GitSyncSettings unchecked = new GitSyncSettings(repoUrl, branch, path, null, poll, applyDeletes);
        String trustedHostKeys = checkRepository(unchecked, credentials);
        if (credentials != null && credentials.sshPrivateKey() != null) {
            credentials = credentials.withKnownHosts(trustedHostKeys); // pinned at setup when none were given
        }
        GitSyncSettings settings = new GitSyncSettings(repoUrl, branch, path, credentials == null ? null : seal(credentials),
                poll, applyDeletes);
        if (!sameRepository) {
            engine.discardWorkingCopies();
        }
        store.save(settings, !sameRepository);
        return view(settings, engine.runNow(false, true));
    }

    @DELETE
    public Response delete() {
        store.delete();
        engine.discardWorkingCopies();
        return Response.noContent().build();
    }

    @POST
    @Path("/pull")
    public View pull() {
        GitSyncSettings settings = store.settings().orElseThrow(GitSyncNotConfiguredException::new);
        return view(settings, engine.runNow(false, false));
    }

    @POST
    @Path("/resync")
    public View resync() {
        GitSyncSettings settings = store.settings().orElseThrow(GitSyncNotConfiguredException::new);
        return view(settings, engine.runNow(true, false));
    }

    @ServerExceptionMapper
    public Response notConfigured(GitSyncNotConfiguredException e) {
        return Response.status(404).type(MediaType.APPLICATION_JSON).entity(Map.of("message", e.getMessage())).build();
    }

    /** Checks that Eddy can read the repository and its branch; answers the SSH host keys to trust from now on. */
    private String checkRepository(GitSyncSettings settings, GitCredentials credentials) {
        List<String> branches;
        String trusted;
        try {
            GitRemoteAccess.checkEgress(egress, settings.repoUrl());
        } catch (java.io.IOException e) {
            throw ValidationException.of("repoUrl", e.getMessage());
        }
        try (GitRemoteAccess access = GitRemoteAccess.of(credentials)) {
            branches = GitWorkingCopy.remoteBranches(GitRemoteAccess.remoteUrl(settings.repoUrl(), credentials), access);
            trusted = access.trustedHostKeys();
        } catch (GitAPIException | RuntimeException e) {
            throw ValidationException.of("repoUrl", "cannot read the repository: " + e.getMessage());
        }
        if (branches.isEmpty()) {
            throw ValidationException.of("repoUrl", "the repository is empty: make a first commit (for example a README) "
                    + "so that a branch exists, then set up Git Sync again");
        }
        if (!branches.contains(settings.branch())) {
            throw ValidationException.of("branch", "no branch '" + settings.branch() + "' in the repository; it has: "
                    + String.join(", ", branches));
        }
        return trusted;
    }

    /** Credentials that fit the URL: a token for HTTPS, a parseable private key (and known_hosts) for SSH. */
    private static void checkCredentials(GitCredentials credentials, String repoUrl, Map<String, String> problems) {
        boolean ssh = repoUrl != null && GitRemoteAccess.isSsh(repoUrl);
        if (credentials.sshPrivateKey() != null && credentials.token() != null) {
            problems.put("credentials", "give either token (HTTPS) or sshPrivateKey (SSH), not both");
        }
        if (credentials.sshPrivateKey() != null && repoUrl != null && !ssh) {
            problems.put("credentials.sshPrivateKey", "is for SSH URLs (ssh://... or git@host:path); this repoUrl is not one");
        }
        if (credentials.token() != null && ssh) {
            problems.put("credentials.token", "is for HTTPS URLs; an SSH URL needs credentials.sshPrivateKey");
        }
        try {
            if (credentials.sshPrivateKey() != null) {
                GitRemoteAccess.privateKeys(credentials.sshPrivateKey());
            }
            GitRemoteAccess.knownHosts(credentials.knownHosts());
        } catch (GitRemoteAccess.InvalidGitCredentialsException e) {
            problems.put("credentials." + e.field, e.getMessage());
        }
    }

    private String seal(GitCredentials credentials) {
        try {
            return secrets.seal(GitSyncStore.JSON.writeValueAsString(credentials));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write credentials", e);
        }
    }

    private View view(GitSyncSettings s, GitSyncStatus status) {
        GitCredentials credentials = engine.credentials(s);
        List<String> hostKeys = credentials == null || credentials.knownHosts() == null ? null
                : List.of(credentials.knownHosts().split("\n"));
        return new View(true, s.repoUrl(), s.branch(), s.path(), s.pollSeconds(), s.applyDeletes(),
                s.sealedCredentials() != null, hostKeys, status);
    }

    private static boolean supportedUrl(String url) {
        if (GitRemoteAccess.isSsh(url)) {
            return true;
        }
        try {
            String scheme = URI.create(url).getScheme();
            return "https".equals(scheme) || "http".equals(scheme) || "file".equals(scheme);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code https://user:secret@host/...}: a secret in the URL would be stored and shown as part of it. */
    private static boolean carriesPassword(String url) {
        try {
            String userInfo = URI.create(url).getRawUserInfo();
            return userInfo != null && userInfo.contains(":");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode json = body == null || body.isBlank() ? null : GitSyncStore.JSON.readTree(body);
            if (!(json instanceof ObjectNode)) {
                throw new MalformedRequestException("the body must be a JSON object");
            }
            return json;
        } catch (JsonProcessingException e) {
            throw new MalformedRequestException("the body is not valid JSON");
        }
    }

    private static String text(JsonNode json, String key) {
        JsonNode v = json.get(key);
        return v == null || v.isNull() || !v.isTextual() || v.asText().isBlank() ? null : v.asText().trim();
    }
}
