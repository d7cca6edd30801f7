package dev.eddy.config.gitsync;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.RefAdvertiser.PacketLineOutRefAdvertiser;
import org.eclipse.jgit.transport.UploadPack;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.GZIPInputStream;

/**
 * A real Git smart-HTTP server for tests: the JDK's HTTP server in front of JGit's UploadPack and ReceivePack,
 * serving one bare repository at {@code /repo.git} to clients that authenticate with HTTP Basic and the token.
 */
final class SmartHttpGitServer implements AutoCloseable {

    private final HttpServer server;
    private final Repository repository;
    private final String token;

    SmartHttpGitServer(File bareRepository, String token) throws IOException {
        this.repository = new FileRepositoryBuilder().setGitDir(bareRepository).setMustExist(true).build();
        this.token = token;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/repo.git/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/repo.git";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getQuery();
            if (path.endsWith("/info/refs") && "GET".equals(exchange.getRequestMethod())) {
                String service = query == null ? "" : query.replace("service=", "");
                if (!service.equals("git-upload-pack") && !service.equals("git-receive-pack")) {
                    exchange.sendResponseHeaders(403, -1);
                    return;
                }
                exchange.getResponseHeaders().add("Content-Type", "application/x-" + service + "-advertisement");
                exchange.getResponseHeaders().add("Cache-Control", "no-cache");
                exchange.sendResponseHeaders(200, 0);
                OutputStream body = exchange.getResponseBody();
                PacketLineOut out = new PacketLineOut(body);
                out.writeString("# service=" + service + "\n");
                out.end();
                PacketLineOutRefAdvertiser advertiser = new PacketLineOutRefAdvertiser(out);
                if (service.equals("git-upload-pack")) {
                    UploadPack up = new UploadPack(repository);
                    up.setBiDirectionalPipe(false);
                    up.sendAdvertisedRefs(advertiser);
                } else {
                    ReceivePack rp = new ReceivePack(repository);
                    rp.setBiDirectionalPipe(false);
                    rp.sendAdvertisedRefs(advertiser);
                }
                body.flush();
            } else if (path.endsWith("/git-upload-pack") && "POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().add("Content-Type", "application/x-git-upload-pack-result");
                exchange.sendResponseHeaders(200, 0);
                UploadPack up = new UploadPack(repository);
                up.setBiDirectionalPipe(false);
                up.upload(body(exchange), exchange.getResponseBody(), null);
            } else if (path.endsWith("/git-receive-pack") && "POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().add("Content-Type", "application/x-git-receive-pack-result");
                exchange.sendResponseHeaders(200, 0);
                ReceivePack rp = new ReceivePack(repository);
                rp.setBiDirectionalPipe(false);
                rp.receive(body(exchange), exchange.getResponseBody(), null);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
        }
    }

    private static InputStream body(HttpExchange exchange) throws IOException {
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        return "gzip".equalsIgnoreCase(encoding) ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody();
    }

    private boolean authorized(String header) {
        if (header == null || !header.startsWith("Basic ")) {
            return false;
        }
        String decoded = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
        return decoded.endsWith(":" + token);
    }

    @Override
    public void close() {
        server.stop(0);
        repository.close();
    }
}
