package dev.eddy.config.gitsync;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Eddy's own clone of the user's branch, driven with JGit only: fetch and reset to the remote branch, read and
 * write files, commit one change at a time, push. Not thread-safe: {@link GitSyncEngine} uses it from one thread.
 */
public final class GitWorkingCopy implements AutoCloseable {

    /** Committer of every Eddy commit; the author is the API key's name. */
    static final String COMMITTER = "Eddy Git Sync";
    static final String EMAIL = "git-sync@eddy.invalid";

    private final Git git;
    private final String branch;
    private final TransportConfigCallback access;

    private GitWorkingCopy(Git git, String branch, TransportConfigCallback access) {
        this.git = git;
        this.branch = branch;
        this.access = access;
    }

    /** The branch names of the remote repository; empty when it has no commit at all. */
    static List<String> remoteBranches(String url, TransportConfigCallback access) throws GitAPIException {
        Collection<Ref> refs = Git.lsRemoteRepository().setRemote(url).setHeads(true).setTransportConfigCallback(access).call();
        return refs.stream().map(r -> Repository.shortenRefName(r.getName())).sorted().toList();
    }

    /** Opens the clone in {@code dir}, cloning the branch first when the directory holds none. */
    static GitWorkingCopy open(Path dir, String url, String branch, TransportConfigCallback access)
            throws IOException, GitAPIException {
        if (Files.isDirectory(dir.resolve(".git"))) {
            return new GitWorkingCopy(Git.open(dir.toFile()), branch, access);
        }
        Files.createDirectories(dir);
        Git git = Git.cloneRepository().setURI(url).setBranch(branch).setDirectory(dir.toFile())
                .setTransportConfigCallback(access).call();
        return new GitWorkingCopy(git, branch, access);
    }

    /** Fetches the branch and resets the working tree to it; returns the remote head. */
    public ObjectId fetchAndReset() throws IOException, GitAPIException {
        git.fetch().setRemote("origin").setTransportConfigCallback(access).setRemoveDeletedRefs(true).call();
        ObjectId remote = git.getRepository().resolve("refs/remotes/origin/" + branch);
        if (remote == null) {
            throw new IOException("branch '" + branch + "' no longer exists in the repository");
        }
        git.checkout().setName(branch).setForced(true).call();
        git.reset().setMode(ResetCommand.ResetType.HARD).setRef(remote.name()).call();
        git.clean().setCleanDirectories(true).setForce(true).call();
        return remote;
    }

    /** The file's text in the working tree, or null when absent. */
    public String read(String repoPath) throws IOException {
        Path file = file(repoPath);
        return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
    }

    /** Writes the file; false when it already had this content. */
    public boolean write(String repoPath, String text) throws IOException {
        Path file = file(repoPath);
        if (Files.isRegularFile(file) && Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
            return false;
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return true;
    }

    /** Stages the file and commits it alone; empty when nothing changed. */
    public Optional<RevCommit> commit(String repoPath, String message, String author) throws GitAPIException {
        git.add().addFilepattern(repoPath).call();
        if (git.status().addPath(repoPath).call().isClean()) {
            return Optional.empty();
        }
        PersonIdent committer = new PersonIdent(COMMITTER, EMAIL);
        PersonIdent authorIdent = new PersonIdent(author == null ? COMMITTER : author, EMAIL);
        return Optional.of(git.commit().setOnly(repoPath).setMessage(message).setAuthor(authorIdent)
                .setCommitter(committer).setSign(false).call());
    }

    /** Removes the file and commits its removal alone; empty when it was not there. */
    public Optional<RevCommit> remove(String repoPath, String message, String author) throws GitAPIException, IOException {
        if (!Files.exists(file(repoPath))) {
            return Optional.empty();
        }
        git.rm().addFilepattern(repoPath).call();
        return Optional.of(git.commit().setMessage(message).setAuthor(new PersonIdent(author == null ? COMMITTER : author, EMAIL))
                .setCommitter(new PersonIdent(COMMITTER, EMAIL)).setSign(false).call());
    }

    /** Stages everything under the folder and commits it as one commit; empty when nothing changed. */
    public Optional<RevCommit> commitAll(String folder, String message) throws GitAPIException {
        git.add().addFilepattern(folder.isEmpty() ? "." : folder).call();
        if (git.status().call().isClean()) {
            return Optional.empty();
        }
        PersonIdent eddy = new PersonIdent(COMMITTER, EMAIL);
        return Optional.of(git.commit().setMessage(message).setAuthor(eddy).setCommitter(eddy).setSign(false).call());
    }

    /** Pushes the branch; false when the remote moved on (non-fast-forward), so the caller fetches and retries. */
    public boolean push() throws GitAPIException, IOException {
        Iterable<PushResult> results = git.push().setRemote("origin").setTransportConfigCallback(access)
                .setRefSpecs(new org.eclipse.jgit.transport.RefSpec("refs/heads/" + branch + ":refs/heads/" + branch)).call();
        for (PushResult result : results) {
            for (RemoteRefUpdate update : result.getRemoteUpdates()) {
                switch (update.getStatus()) {
                    case OK, UP_TO_DATE -> { }
                    case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED -> {
                        return false;
                    }
                    default -> throw new IOException("push of " + branch + " failed: " + update.getStatus()
                            + (update.getMessage() == null ? "" : " (" + update.getMessage() + ")"));
                }
            }
        }
        return true;
    }

    public ObjectId head() throws IOException {
        return git.getRepository().resolve(Constants.HEAD);
    }

    /** Files changed between two commits ({@code from} null: everything in {@code to}), limited to the folder. */
    public List<DiffEntry> changes(ObjectId from, ObjectId to, String folder) throws IOException {
        try (ObjectReader reader = git.getRepository().newObjectReader(); RevWalk walk = new RevWalk(reader);
             TreeWalk tw = new TreeWalk(reader)) {
            tw.setRecursive(true);
            if (from == null) {
                tw.addTree(new EmptyTreeIterator());
            } else {
                CanonicalTreeParser old = new CanonicalTreeParser();
                old.reset(reader, walk.parseCommit(from).getTree());
                tw.addTree(old);
            }
            CanonicalTreeParser now = new CanonicalTreeParser();
            now.reset(reader, walk.parseCommit(to).getTree());
            tw.addTree(now);
            tw.setFilter(folder.isEmpty() ? TreeFilter.ALL : PathFilter.create(folder));
            return DiffEntry.scan(tw);
        }
    }

    /** The newest commit in {@code (since, head]} that touched the file, with its committer time. */
    public Optional<RevCommit> newestTouching(ObjectId head, ObjectId since, String repoPath) throws GitAPIException, IOException {
        var log = git.log().add(head).addPath(repoPath).setMaxCount(1);
        if (since != null && git.getRepository().getObjectDatabase().has(since)) {
            log.not(since);
        }
        for (RevCommit c : log.call()) {
            return Optional.of(c);
        }
        return Optional.empty();
    }

    static Instant time(RevCommit commit) {
        return commit.getCommitterIdent().getWhenAsInstant();
    }

    /**
     * The file of a repository path, which must stay inside the working copy: slugs are checked before they name a
     * file, and this is the second guard (a path such as {@code models/../../x.yaml} is refused, nothing is touched).
     */
    private Path file(String repoPath) throws IOException {
        Path root = git.getRepository().getWorkTree().toPath().toAbsolutePath().normalize();
        Path file = root.resolve(repoPath).normalize();
        if (!file.startsWith(root) || file.equals(root) || file.startsWith(root.resolve(".git"))) {
            throw new IOException("the path " + repoPath + " leaves the Git Sync working copy; nothing is written");
        }
        return file;
    }

    @Override
    public void close() {
        git.close();
    }
}
