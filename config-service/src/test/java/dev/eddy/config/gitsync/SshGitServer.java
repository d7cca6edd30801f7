package dev.eddy.config.gitsync;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.UploadPack;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.PublicKey;

/**
 * A real Git-over-SSH server for tests: Apache MINA sshd (public-key authentication with one allowed key) in front
 * of JGit's UploadPack and ReceivePack, serving one bare repository at {@code ssh://git@127.0.0.1:<port>/repo.git}.
 */
final class SshGitServer implements AutoCloseable {

    private final SshServer server;
    private final Repository repository;

    SshGitServer(File bareRepository, PublicKey allowedUserKey) throws IOException {
        this.repository = new FileRepositoryBuilder().setGitDir(bareRepository).setMustExist(true).build();
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(Files.createTempDirectory("eddy-sshd").resolve("host.key")));
        server.setPublickeyAuthenticator((user, key, session) -> "git".equals(user) && KeyUtils.compareKeys(key, allowedUserKey));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setCommandFactory((channel, command) -> new GitCommand(command));
        server.start();
    }

    String url() {
        return "ssh://127.0.0.1:" + server.getPort() + "/repo.git";
    }

    /** The server's host key as a known_hosts line for its address. */
    String knownHostsLine() throws Exception {
        KeyPair hostKey = server.getKeyPairProvider().loadKeys(null).iterator().next();
        return "[127.0.0.1]:" + server.getPort() + " " + PublicKeyEntry.toString(hostKey.getPublic());
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
        repository.close();
    }

    /** One {@code git-upload-pack '/repo.git'} or {@code git-receive-pack '/repo.git'} exchange. */
    private final class GitCommand implements Command {
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        GitCommand(String command) {
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            Thread thread = new Thread(this::run, "ssh-git");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            try {
                if (!command.endsWith("'/repo.git'")) {
                    err.write(("no such repository: " + command + "\n").getBytes());
                    err.flush();
                    exit.onExit(128);
                } else if (command.startsWith("git-upload-pack ")) {
                    new UploadPack(repository).upload(in, out, err);
                    exit.onExit(0);
                } else if (command.startsWith("git-receive-pack ")) {
                    new ReceivePack(repository).receive(in, out, err);
                    exit.onExit(0);
                } else {
                    exit.onExit(127, "unsupported command");
                }
            } catch (IOException e) {
                exit.onExit(1, e.getMessage());
            }
        }

        @Override
        public void destroy(ChannelSession channel) {
        }
    }
}
