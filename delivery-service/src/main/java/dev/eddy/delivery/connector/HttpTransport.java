package dev.eddy.delivery.connector;

import dev.eddy.contracts.egress.EgressDeniedException;
import dev.eddy.contracts.egress.EgressPolicy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * How HTTP connectors talk to a destination: one request and its response, with the body as bytes so a
 * recording transport (test-a-row) can show exactly what was sent. The default sends through a shared
 * {@link HttpClient}.
 */
public interface HttpTransport {

    /** One request as the connector built it. */
    record Call(String method, URI uri, Map<String, String> headers, byte[] body, Duration timeout) {
    }

    /** The destination's answer. */
    record Answer(int status, Map<String, List<String>> headers, String body) {
        /** The first value of a header, matched case-insensitively, or null. */
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    Answer send(Call call) throws IOException, InterruptedException;

    /** Sends without blocking; completes exceptionally with the {@link IOException} on a transport failure. */
    CompletableFuture<Answer> sendAsync(Call call);

    /** Sends through {@code http}, under the default egress policy. */
    static HttpTransport of(HttpClient http) {
        return of(http, EgressPolicy.defaults());
    }

    /**
     * Sends through {@code http} (which must not follow redirects: each hop would escape the check), after
     * resolving each request's host and checking every address against {@code egress}; a denied request fails with
     * {@link EgressRefusedException} before any connection. The client's own lookup right after is answered from
     * the JVM's address cache, so it connects to a checked address.
     */
    static HttpTransport of(HttpClient http, EgressPolicy egress) {
        return new HttpTransport() {
            /** Headers java.net.http sets itself and refuses to take from a caller. */
            private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

            @Override
            public Answer send(Call call) throws IOException, InterruptedException {
                check(call);
                return answer(http.send(request(call), HttpResponse.BodyHandlers.ofString()));
            }

            @Override
            public CompletableFuture<Answer> sendAsync(Call call) {
                try {
                    check(call);
                } catch (IOException e) {
                    return CompletableFuture.failedFuture(e);
                }
                return http.sendAsync(request(call), HttpResponse.BodyHandlers.ofString()).thenApply(r -> answer(r));
            }

            private void check(Call call) throws IOException {
                try {
                    egress.resolve(call.uri());
                } catch (EgressDeniedException e) {
                    throw new EgressRefusedException(call.uri().getHost() + " " + e.getMessage());
                }
            }

            private HttpRequest request(Call call) {
                HttpRequest.BodyPublisher body = call.body() == null
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(call.body());
                HttpRequest.Builder builder = HttpRequest.newBuilder(call.uri()).timeout(call.timeout())
                        .method(call.method().toUpperCase(Locale.ROOT), body);
                call.headers().forEach((name, value) -> {
                    if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                        builder.header(name, value);
                    }
                });
                return builder.build();
            }

            private Answer answer(HttpResponse<String> response) {
                return new Answer(response.statusCode(), new LinkedHashMap<>(response.headers().map()), response.body());
            }
        };
    }
}
