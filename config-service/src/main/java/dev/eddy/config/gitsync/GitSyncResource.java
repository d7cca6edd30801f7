package dev.eddy.config.gitsync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.config.service.MalformedRequestException;
import dev.eddy.config.service.ValidationException;
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

    public GitSyncResource(GitSyncStore store, GitSyncEngine engine, SecretBox secrets) {
        this.store = store;
        this.engine = engine;
        this.secrets = secrets;
    }

    /** The setup as shown: no credentials, only whether some are set. */
    public record View(boolean enabled, String repoUrl, String branch, String path, int pollSeconds, boolean applyDeletes,
                       boolean credentialsSet, GitSyncStatus status) {
    }

    @GET
    public View get() {
        return store.settings().map(s -> view(s, store.status()))
                .orElse(new View(false, null, null, null, 0, false, false, null));
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
            problems.put("repoUrl", "must be an https, http or file URL (SSH is not supported yet: use HTTPS with a token)");
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
                problems.put("credentials", "must be an object {username?, token? | sshPrivateKey?}");
            } else if (c.hasNonNull("sshPrivateKey")) {
                problems.put("credentials.sshPrivateKey", "SSH is not supported yet: use an HTTPS URL with a token");
            } else {
                credentials = new GitCredentials(text(c, "username"), text(c, "token"), null);
            }
        }
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
        Optional<GitSyncSettings> previous = store.settings();
        boolean sameRepository = previous.isPresent() && previous.get().repoUrl().equals(repoUrl)
                && previous.get().branch().equals(branch) && previous.get().path().equals(path);
        // credentials left out of a PUT keep the stored ones for the same repository, so they need not be re-sent
        String sealed = credentials != null ? seal(credentials)
                : previous.filter(p -> p.repoUrl().equals(repoUrl)).map(GitSyncSettings::sealedCredentials).orElse(null);
        GitSyncSettings settings = new GitSyncSettings(repoUrl, branch, path, sealed, poll, applyDeletes);
        checkRepository(settings);
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

    private void checkRepository(GitSyncSettings settings) {
        List<String> branches;
        try {
            branches = GitWorkingCopy.remoteBranches(settings.repoUrl(),
                    GitWorkingCopy.credentials(engine.credentials(settings)));
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
    }

    private String seal(GitCredentials credentials) {
        try {
            return secrets.seal(GitSyncStore.JSON.writeValueAsString(credentials));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write credentials", e);
        }
    }

    private static View view(GitSyncSettings s, GitSyncStatus status) {
        return new View(true, s.repoUrl(), s.branch(), s.path(), s.pollSeconds(), s.applyDeletes(),
                s.sealedCredentials() != null, status);
    }

    private static boolean supportedUrl(String url) {
        try {
            String scheme = URI.create(url).getScheme();
            return "https".equals(scheme) || "http".equals(scheme) || "file".equals(scheme);
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
