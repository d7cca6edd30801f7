package dev.eddy.config.gitsync;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.CredentialsProvider;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The user's side of a test: a bare repository (the "remote") and a clone to commit to it, all with JGit. */
final class UserRepository {

    final File bare;
    private final Path clone;
    private final String url;
    private final CredentialsProvider credentials;

    private UserRepository(File bare, Path clone, String url, CredentialsProvider credentials) {
        this.bare = bare;
        this.clone = clone;
        this.url = url;
        this.credentials = credentials;
    }

    /** A new bare repository with no commit at all. */
    static File emptyBare() throws Exception {
        File bare = Files.createTempDirectory("eddy-remote").toFile();
        Git.init().setBare(true).setInitialBranch("main").setDirectory(bare).call().close();
        return bare;
    }

    /** A bare repository whose branch main has a README commit, and the user's clone of it via {@code url}. */
    static UserRepository seeded(File bare, String url, CredentialsProvider credentials) throws Exception {
        Path clone = Files.createTempDirectory("eddy-user");
        try (Git git = Git.init().setInitialBranch("main").setDirectory(clone.toFile()).call()) {
            Files.writeString(clone.resolve("README.md"), "# our reverse-ETL config\n");
            git.add().addFilepattern("README.md").call();
            git.commit().setMessage("first commit").setSign(false).call();
            git.remoteAdd().setName("origin").setUri(new org.eclipse.jgit.transport.URIish(url)).call();
            git.push().setRemote("origin").setCredentialsProvider(credentials).call();
        }
        return new UserRepository(bare, clone, url, credentials);
    }

    /** Writes (or with null text deletes) files and pushes them as one commit at the given committer time. */
    RevCommit commit(String message, Instant when, String... pathsAndTexts) throws Exception {
        try (Git git = Git.open(clone.toFile())) {
            pull(git);
            for (int i = 0; i < pathsAndTexts.length; i += 2) {
                Path file = clone.resolve(pathsAndTexts[i]);
                if (pathsAndTexts[i + 1] == null) {
                    git.rm().addFilepattern(pathsAndTexts[i]).call();
                } else {
                    Files.createDirectories(file.getParent());
                    Files.writeString(file, pathsAndTexts[i + 1]);
                    git.add().addFilepattern(pathsAndTexts[i]).call();
                }
            }
            PersonIdent me = new PersonIdent(new PersonIdent("Data Engineer", "de@example.com"), when);
            RevCommit commit = git.commit().setMessage(message).setAuthor(me).setCommitter(me).setSign(false).call();
            git.push().setRemote("origin").setCredentialsProvider(credentials).call();
            return commit;
        }
    }

    RevCommit commit(String message, String... pathsAndTexts) throws Exception {
        return commit(message, Instant.now(), pathsAndTexts);
    }

    /** The file's text on the remote branch now, or null. */
    String remoteFile(String path) throws Exception {
        try (Git git = Git.open(clone.toFile())) {
            pull(git);
            Path file = clone.resolve(path);
            return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
        }
    }

    /** Full messages of the remote branch's commits, newest first. */
    List<String> remoteLog() throws Exception {
        try (Git git = Git.open(clone.toFile())) {
            pull(git);
            List<String> messages = new ArrayList<>();
            git.log().call().forEach(c -> messages.add(c.getFullMessage()));
            return messages;
        }
    }

    private void pull(Git git) throws Exception {
        git.fetch().setRemote("origin").setCredentialsProvider(credentials).call();
        var remote = git.getRepository().resolve("refs/remotes/origin/main");
        if (remote != null) {
            git.reset().setMode(org.eclipse.jgit.api.ResetCommand.ResetType.HARD).setRef(remote.name()).call();
        }
    }

    String url() {
        return url;
    }

    static String read(Path p) throws IOException {
        return Files.readString(p);
    }
}
