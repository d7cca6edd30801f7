package dev.eddy.config.gitsync;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.eddy.config.gitsync.GitSyncFiles.ObjectPath;
import dev.eddy.config.gitsync.GitSyncFiles.Parsed;
import dev.eddy.config.gitsync.GitSyncFiles.UnreadableFileException;
import dev.eddy.config.gitsync.GitSyncStatus.Conflict;
import dev.eddy.config.gitsync.GitSyncStatus.Deletion;
import dev.eddy.config.gitsync.GitSyncStore.OutboxEntry;
import dev.eddy.config.service.ConfigChanged;
import dev.eddy.contracts.egress.EgressPolicy;
import dev.eddy.contracts.secrets.SecretBox;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.jboss.logging.Logger;

import dev.eddy.config.service.Slugs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs Git Sync on one thread: each cycle fetches the branch, imports the commits since the last imported one
 * (inbound), then commits the outbox of API changes one commit each and pushes (outbound). A poll every
 * {@code pollSeconds}, an API change, {@code pull} and {@code resync} all run the same cycle.
 */
@ApplicationScoped
public class GitSyncEngine {

    private static final Logger LOG = Logger.getLogger(GitSyncEngine.class);
    /** Pushes rejected because the branch moved on are retried after a fresh fetch and import, this many times. */
    private static final int PUSH_ATTEMPTS = 3;
    private static final long REQUEST_TIMEOUT_SECONDS = 55;

    private final GitSyncStore store;
    private final EgressPolicy egress;
    private final GitSyncCatalog catalog;
    private final SecretBox secrets;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "eddy-git-sync");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong nextPollMillis = new AtomicLong();
    private Path workRoot;

    public GitSyncEngine(GitSyncStore store, GitSyncCatalog catalog, SecretBox secrets, EgressPolicy egress) {
        this.egress = egress;
        this.store = store;
        this.catalog = catalog;
        this.secrets = secrets;
    }

    void onStart(@Observes StartupEvent event) throws IOException {
        workRoot = Files.createTempDirectory("eddy-git-sync");
        // a one-second tick: cheap checks (outbox rows, poll due) decide whether a cycle runs
        thread.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        thread.shutdownNow();
    }

    /**
     * Records a committed API change of a model or sync and runs a cycle now, so the commit is pushed within seconds.
     * Changes Git Sync made itself (actor {@link GitSyncCatalog#ACTOR}) are not written back.
     */
    void onChange(@Observes ConfigChanged change) {
        if (GitSyncCatalog.ACTOR.equals(change.actor())) {
            return;
        }
        GitSyncKind kind = switch (change.kind()) {
            case "model" -> GitSyncKind.MODEL;
            case "sync" -> GitSyncKind.SYNC;
            default -> null;
        };
        if (kind == null) {
            return;
        }
        store.enqueue(new GitSyncChange(kind, Long.parseLong(change.id()), change.slug(),
                GitSyncChange.Change.valueOf(change.change().name()), change.actor()));
        thread.execute(this::tick);
    }

    private void tick() {
        try {
            Optional<GitSyncSettings> settings = store.settings();
            if (settings.isEmpty()) {
                return;
            }
            boolean due = System.currentTimeMillis() >= nextPollMillis.get();
            if (due || !store.outbox().isEmpty()) {
                cycle(settings.get(), false, false);
            }
        } catch (RuntimeException e) {
            LOG.warnf("Git Sync tick failed: %s", e.getMessage());
        }
    }

    /** Runs a cycle now on the Git Sync thread and answers the status; {@code resync} rewrites every file. */
    public GitSyncStatus runNow(boolean resync, boolean exportMissing) {
        try {
            return thread.submit(() -> {
                GitSyncSettings settings = store.settings().orElseThrow(GitSyncNotConfiguredException::new);
                cycle(settings, resync, exportMissing);
                return store.status();
            }).get(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (TimeoutException e) {
            throw new IllegalStateException("Git Sync is still working; see GET /api/v1/git-sync for its status");
        }
    }

    /** Forgets the working copy (a new setup clones afresh). */
    public void discardWorkingCopies() {
        try {
            thread.submit(() -> deleteTree(workRoot)).get(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("could not remove Git Sync working copies: %s", e.getMessage());
        }
    }

    GitCredentials credentials(GitSyncSettings settings) {
        if (settings.sealedCredentials() == null) {
            return null;
        }
        try {
            return GitSyncStore.JSON.readValue(secrets.open(settings.sealedCredentials()), GitCredentials.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored Git credentials are unreadable");
        }
    }

    private void cycle(GitSyncSettings settings, boolean resync, boolean exportMissing) {
        nextPollMillis.set(System.currentTimeMillis() + settings.pollSeconds() * 1000L);
        GitSyncStatus status = store.status();
        GitCredentials credentials = credentials(settings);
        try {
            GitRemoteAccess.checkEgress(egress, settings.repoUrl());
        } catch (IOException e) {
            LOG.warnf("Git Sync cycle on %s refused: %s", settings.branch(), e.getMessage());
            GitSyncStatus s = store.status();
            store.saveStatus(new GitSyncStatus(s.lastInboundCommit(), s.lastInboundAt(), s.lastOutboundCommit(),
                    s.lastOutboundAt(), s.fileErrors(), s.conflicts(), s.deletions(), e.getMessage(), Instant.now()));
            return;
        }
        try (GitRemoteAccess access = GitRemoteAccess.of(credentials);
             GitWorkingCopy wc = GitWorkingCopy.open(workDir(settings), GitRemoteAccess.remoteUrl(settings.repoUrl(), credentials),
                     settings.branch(), access)) {
            for (int attempt = 1; attempt <= PUSH_ATTEMPTS; attempt++) {
                ObjectId head = wc.fetchAndReset();
                ObjectId imported = status.lastInboundCommit() == null ? null : ObjectId.fromString(status.lastInboundCommit());
                if (!head.equals(imported)) {
                    status = inbound(wc, settings, imported, head, status);
                    status = withInbound(status, head);
                    store.saveStatus(status);
                }
                List<OutboxEntry> outbox = store.outbox();
                List<Mark> marks = new ArrayList<>();
                int commits = 0;
                for (OutboxEntry entry : outbox) {
                    commits += outbound(wc, settings, entry, marks);
                }
                if (resync || exportMissing) {
                    commits += writeAll(wc, settings, resync, marks);
                }
                if (commits == 0) {
                    outbox.stream().mapToLong(OutboxEntry::id).max().ifPresent(store::removeOutbox);
                    break;
                }
                if (wc.push()) {
                    ObjectId pushed = wc.head();
                    marks.forEach(m -> store.markSynced(m.kind(), m.slug(), m.updatedAt()));
                    outbox.stream().mapToLong(OutboxEntry::id).max().ifPresent(store::removeOutbox);
                    status = withOutbound(withInbound(status, pushed), pushed);
                    store.saveStatus(status);
                    LOG.infof("Git Sync pushed %d commit(s) to %s, head %s", commits, settings.branch(), pushed.name());
                    break;
                }
                LOG.infof("Git Sync push to %s rejected (the branch moved on); importing and retrying", settings.branch());
                if (attempt == PUSH_ATTEMPTS) {
                    throw new IOException("the branch kept moving; gave up pushing after " + PUSH_ATTEMPTS + " attempts");
                }
            }
            if (status.lastError() != null) {
                status = new GitSyncStatus(status.lastInboundCommit(), status.lastInboundAt(), status.lastOutboundCommit(),
                        status.lastOutboundAt(), status.fileErrors(), status.conflicts(), status.deletions(), null, null);
                store.saveStatus(status);
            }
        } catch (IOException | GitAPIException | RuntimeException e) {
            // JGit's messages name the URL and the failure, never the credentials provider's secrets
            LOG.warnf("Git Sync cycle on %s failed: %s", settings.branch(), e.getMessage());
            GitSyncStatus s = store.status();
            store.saveStatus(new GitSyncStatus(s.lastInboundCommit(), s.lastInboundAt(), s.lastOutboundCommit(),
                    s.lastOutboundAt(), s.fileErrors(), s.conflicts(), s.deletions(), String.valueOf(e.getMessage()), Instant.now()));
        }
    }

    /** An object written to or read from Git, with the API update time it had. */
    private record Mark(GitSyncKind kind, String slug, Instant updatedAt) {
    }

    // ---- inbound

    private GitSyncStatus inbound(GitWorkingCopy wc, GitSyncSettings settings, ObjectId from, ObjectId to,
                                  GitSyncStatus status) throws IOException, GitAPIException {
        Map<String, List<FileProblem>> errors = new LinkedHashMap<>();
        status.fileErrors().forEach(p -> errors.computeIfAbsent(p.file(), f -> new ArrayList<>()).add(p));
        List<Conflict> conflicts = new ArrayList<>(status.conflicts());
        List<Deletion> deletions = new ArrayList<>(status.deletions());
        List<Change> changes = new ArrayList<>();
        for (DiffEntry d : wc.changes(from, to, settings.path())) {
            boolean deleted = d.getChangeType() == DiffEntry.ChangeType.DELETE;
            String file = deleted ? d.getOldPath() : d.getNewPath();
            String relative = settings.relative(file);
            ObjectPath object = relative == null ? null : GitSyncFiles.objectPath(relative);
            if (object != null && !Slugs.valid(object.slug())) {
                // the file name is the object's slug, and a slug names files: one that is not a slug is never applied
                errors.put(file, List.of(new FileProblem(file, 1, "the file name '" + object.slug() + "' is not a slug: "
                        + Slugs.problem(object.slug()).orElseThrow())));
                continue;
            }
            if (object != null) {
                changes.add(new Change(file, object, deleted));
            }
            if (d.getChangeType() == DiffEntry.ChangeType.RENAME || d.getChangeType() == DiffEntry.ChangeType.COPY) {
                errors.remove(d.getOldPath());
            }
        }
        // models before the syncs that may name them; deletions of syncs before deletions of their models
        changes.sort(Comparator.comparingInt(Change::order));
        int applied = 0;
        for (Change change : changes) {
            errors.remove(change.file());
            if (change.deleted()) {
                deletions.add(delete(settings, change, to));
                continue;
            }
            List<FileProblem> problems = new ArrayList<>();
            Object document = read(wc, change, problems);
            if (!problems.isEmpty()) {
                errors.put(change.file(), problems);
                continue;
            }
            Optional<Instant> apiUpdatedAt = change.object().kind() == GitSyncKind.MODEL
                    ? catalog.model(change.object().slug()).map(ModelDocument::updatedAt)
                    : catalog.sync(change.object().slug()).map(SyncDocument::updatedAt);
            if (apiUpdatedAt.isPresent() && ConflictRule.changedInApi(apiUpdatedAt.get(),
                    store.syncedAt(change.object().kind(), change.object().slug()).orElse(null))) {
                RevCommit commit = wc.newestTouching(to, from, change.file()).orElseThrow();
                ConflictRule.Winner winner = ConflictRule.winner(GitWorkingCopy.time(commit), apiUpdatedAt.get());
                conflicts.add(new Conflict(change.object().kind().label(), change.object().slug(), change.file(), commit.name(),
                        GitWorkingCopy.time(commit), apiUpdatedAt.get(), winner.name().toLowerCase(), Instant.now()));
                LOG.infof("Git Sync conflict on %s %s: %s wins", change.object().kind().label(), change.object().slug(), winner);
                if (winner == ConflictRule.Winner.API) {
                    // the file is rewritten from the API's version by this same cycle's outbound step
                    store.enqueue(new GitSyncChange(change.object().kind(), 0, change.object().slug(),
                            GitSyncChange.Change.UPDATED, "conflict: API version kept"));
                    continue;
                }
            }
            Instant updatedAt = document instanceof ModelDocument m ? catalog.upsertModel(m).updatedAt()
                    : catalog.upsertSync((SyncDocument) document).updatedAt();
            store.markSynced(change.object().kind(), change.object().slug(), updatedAt);
            applied++;
        }
        List<FileProblem> fileErrors = errors.values().stream().flatMap(List::stream).toList();
        LOG.infof("Git Sync imported %s: %d file(s) applied, %d with errors", to.name(), applied, errors.size());
        return new GitSyncStatus(status.lastInboundCommit(), status.lastInboundAt(), status.lastOutboundCommit(),
                status.lastOutboundAt(), fileErrors, tail(conflicts), tail(deletions), status.lastError(), status.lastErrorAt());
    }

    private record Change(String file, ObjectPath object, boolean deleted) {
        int order() {
            boolean model = object.kind() == GitSyncKind.MODEL;
            return deleted ? (model ? 3 : 2) : (model ? 0 : 1);
        }
    }

    private Object read(GitWorkingCopy wc, Change change, List<FileProblem> problems) throws IOException {
        String file = change.file();
        Parsed parsed;
        try {
            parsed = GitSyncFiles.parse(wc.read(file));
        } catch (UnreadableFileException e) {
            problems.add(new FileProblem(file, e.line(), e.getMessage()));
            return null;
        }
        String slug = change.object().slug();
        if (change.object().kind() == GitSyncKind.MODEL) {
            ModelDocument m = GitSyncFiles.model(file, slug, parsed, problems);
            if (m.source() != null && !catalog.sourceExists(m.source())) {
                problems.add(new FileProblem(file, parsed.line("source"), "unknown source slug '" + m.source() + "'"));
            }
            return m;
        }
        SyncDocument s = GitSyncFiles.sync(file, slug, parsed, problems);
        if (s.model() != null && catalog.model(s.model()).isEmpty()) {
            problems.add(new FileProblem(file, parsed.line("model"), "unknown model slug '" + s.model() + "'"));
        }
        if (s.destination() != null && !catalog.destinationExists(s.destination())) {
            problems.add(new FileProblem(file, parsed.line("destination"), "unknown destination slug '" + s.destination() + "'"));
        }
        if (problems.stream().noneMatch(p -> p.file().equals(file)) && s.model() != null && s.destination() != null) {
            // what the API refuses (a sync type or mode the destination cannot carry out, bad delivery settings) a
            // file cannot bring in either: it would only fail at its first run
            for (var problem : catalog.deliveryProblems(s)) {
                problems.add(new FileProblem(file, parsed.line("config." + problem.field()), "config." + problem));
            }
        }
        return s;
    }

    private Deletion delete(GitSyncSettings settings, Change change, ObjectId commit) {
        GitSyncKind kind = change.object().kind();
        String slug = change.object().slug();
        if (!settings.applyDeletes()) {
            return new Deletion(kind.label(), slug, change.file(), commit.name(), "reported",
                    "applyDeletes is off: the " + kind.label() + " stays; its file comes back at its next change or a resync");
        }
        GitSyncCatalog.DeleteOutcome outcome = kind == GitSyncKind.MODEL ? catalog.deleteModel(slug) : catalog.deleteSync(slug);
        return switch (outcome) {
            case DELETED -> {
                store.forget(kind, slug);
                LOG.infof("Git Sync deleted %s %s (its file was deleted)", kind.label(), slug);
                yield new Deletion(kind.label(), slug, change.file(), commit.name(), "deleted", null);
            }
            case NOT_FOUND -> new Deletion(kind.label(), slug, change.file(), commit.name(), "not_found", "no such " + kind.label());
            case IN_USE -> new Deletion(kind.label(), slug, change.file(), commit.name(), "kept_in_use",
                    "still used by sync(s) " + String.join(", ", catalog.syncsUsingModel(slug)));
        };
    }

    // ---- outbound

    private int outbound(GitWorkingCopy wc, GitSyncSettings settings, OutboxEntry entry, List<Mark> marks)
            throws IOException, GitAPIException {
        String slug = entry.slug();
        if (entry.change() != GitSyncChange.Change.DELETED) {
            boolean exists = slug != null && (entry.kind() == GitSyncKind.MODEL ? catalog.model(slug) : catalog.sync(slug)).isPresent();
            if (!exists) {
                slug = catalog.slugOf(entry.kind(), entry.objectId()).orElse(null);
            }
        }
        if (slug == null) {
            return 0;
        }
        if (!Slugs.valid(slug)) {
            LOG.warnf("Git Sync skips %s '%s': its slug is not a slug (stored before slugs were checked), so it names no file",
                    entry.kind().label(), slug);
            return 0;
        }
        String file = settings.repoPath(GitSyncFiles.relativePath(entry.kind(), slug));
        String by = entry.actor() == null ? "" : entry.actor().startsWith("conflict") ? " (" + entry.actor() + ")"
                : " (API key '" + entry.actor() + "')";
        if (entry.change() == GitSyncChange.Change.DELETED) {
            return wc.remove(file, "Delete " + entry.kind().label() + " " + slug + by, entry.actor()).isPresent() ? 1 : 0;
        }
        Instant updatedAt = write(wc, file, entry.kind(), slug);
        if (updatedAt == null) {
            return 0;
        }
        String verb = entry.change() == GitSyncChange.Change.CREATED ? "Create " : "Update ";
        Optional<RevCommit> commit = wc.commit(file, verb + entry.kind().label() + " " + slug + by,
                entry.actor() == null || entry.actor().startsWith("conflict") ? null : entry.actor());
        marks.add(new Mark(entry.kind(), slug, updatedAt));
        return commit.isPresent() ? 1 : 0;
    }

    /** Writes the object's file from the current state; the API update time written, or null when it is gone. */
    private Instant write(GitWorkingCopy wc, String file, GitSyncKind kind, String slug) throws IOException {
        if (kind == GitSyncKind.MODEL) {
            Optional<ModelDocument> m = catalog.model(slug);
            if (m.isEmpty()) {
                return null;
            }
            wc.write(file, GitSyncFiles.write(m.get(), GitSyncFiles.previous(wc.read(file))));
            return m.get().updatedAt();
        }
        Optional<SyncDocument> s = catalog.sync(slug);
        if (s.isEmpty()) {
            return null;
        }
        wc.write(file, GitSyncFiles.write(s.get(), GitSyncFiles.previous(wc.read(file))));
        return s.get().updatedAt();
    }

    /** Rewrites every model and sync file ({@code all}) or only the missing ones, as one commit. */
    private int writeAll(GitWorkingCopy wc, GitSyncSettings settings, boolean all, List<Mark> marks)
            throws IOException, GitAPIException {
        int files = 0;
        for (ModelDocument m : catalog.models()) {
            if (!Slugs.valid(m.slug())) {
                continue; // names no file (see outbound)
            }
            String file = settings.repoPath(GitSyncFiles.relativePath(GitSyncKind.MODEL, m.slug()));
            if (all || wc.read(file) == null) {
                wc.write(file, GitSyncFiles.write(m, GitSyncFiles.previous(wc.read(file))));
                marks.add(new Mark(GitSyncKind.MODEL, m.slug(), m.updatedAt()));
                files++;
            }
        }
        for (SyncDocument s : catalog.syncs()) {
            if (!Slugs.valid(s.slug())) {
                continue; // names no file (see outbound)
            }
            String file = settings.repoPath(GitSyncFiles.relativePath(GitSyncKind.SYNC, s.slug()));
            if (all || wc.read(file) == null) {
                wc.write(file, GitSyncFiles.write(s, GitSyncFiles.previous(wc.read(file))));
                marks.add(new Mark(GitSyncKind.SYNC, s.slug(), s.updatedAt()));
                files++;
            }
        }
        String message = all ? "Resync: rewrite " + files + " file(s) from Eddy's current state"
                : "Export " + files + " model and sync file(s) from Eddy";
        return wc.commitAll(settings.path(), message).isPresent() ? 1 : 0;
    }

    // ---- plumbing

    private static GitSyncStatus withInbound(GitSyncStatus s, ObjectId commit) {
        return new GitSyncStatus(commit.name(), Instant.now(), s.lastOutboundCommit(), s.lastOutboundAt(), s.fileErrors(),
                s.conflicts(), s.deletions(), s.lastError(), s.lastErrorAt());
    }

    private static GitSyncStatus withOutbound(GitSyncStatus s, ObjectId commit) {
        return new GitSyncStatus(s.lastInboundCommit(), s.lastInboundAt(), commit.name(), Instant.now(), s.fileErrors(),
                s.conflicts(), s.deletions(), s.lastError(), s.lastErrorAt());
    }

    private static <T> List<T> tail(List<T> list) {
        return list.size() <= GitSyncStatus.HISTORY ? list : List.copyOf(list.subList(list.size() - GitSyncStatus.HISTORY, list.size()));
    }

    private Path workDir(GitSyncSettings settings) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    (settings.repoUrl() + "\n" + settings.branch()).getBytes(StandardCharsets.UTF_8));
            return workRoot.resolve(HexFormat.of().formatHex(digest, 0, 8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return null;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(root)) {
                    Files.delete(p);
                }
            }
        }
        return null;
    }
}
