package dev.eddy.config.gitsync;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eddy.config.service.ApiKeys;
import jakarta.enterprise.event.Event;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns each successful API create, update or delete of a model or sync into a {@link GitSyncChange}, naming the
 * API key that made it. A stand-in until the API fires its own {@code ConfigChanged} event after each commit.
 */
public class ApiChangeRecorder {

    private static final Pattern PATH = Pattern.compile("/api/v1/(models|syncs)(?:/(\\d+))?/?");
    private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

    private final Event<GitSyncChange> changes;
    private final GitSyncStore store;

    public ApiChangeRecorder(Event<GitSyncChange> changes, GitSyncStore store) {
        this.changes = changes;
        this.store = store;
    }

    @ServerResponseFilter
    public void record(ContainerRequestContext request, ContainerResponseContext response) {
        String method = request.getMethod();
        if (!WRITES.contains(method) || response.getStatus() / 100 != 2) {
            return;
        }
        Matcher m = PATH.matcher(request.getUriInfo().getPath());
        if (!m.matches()) {
            return;
        }
        GitSyncKind kind = m.group(1).equals("models") ? GitSyncKind.MODEL : GitSyncKind.SYNC;
        JsonNode entity = response.getEntity() == null ? null : GitSyncStore.JSON.valueToTree(response.getEntity());
        String slug = entity == null ? null : entity.path("slug").asText(null);
        long id = m.group(2) != null ? Long.parseLong(m.group(2)) : entity == null ? 0 : entity.path("id").asLong(0);
        if (id == 0 && slug == null) {
            return;
        }
        GitSyncChange.Change change = "DELETE".equals(method) ? GitSyncChange.Change.DELETED
                : m.group(2) == null && "POST".equals(method) ? GitSyncChange.Change.CREATED : GitSyncChange.Change.UPDATED;
        changes.fire(new GitSyncChange(kind, id, slug, change, actor(request)));
    }

    private String actor(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() <= 7) {
            return null;
        }
        return store.apiKeyName(ApiKeys.hash(header.substring(7).trim())).orElse(null);
    }
}
