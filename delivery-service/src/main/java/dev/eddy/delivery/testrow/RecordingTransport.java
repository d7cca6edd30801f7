package dev.eddy.delivery.testrow;

import dev.eddy.contracts.destination.CredentialHeaders;
import dev.eddy.contracts.secrets.UrlSecrets;
import dev.eddy.delivery.connector.HttpTransport;
import dev.eddy.delivery.connector.Signatures;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * An {@link HttpTransport} that sends through another one and records every request and its response, with
 * secrets redacted: every opened secret value wherever it appears (URL, headers, body), and the values of
 * credential headers ({@link CredentialHeaders}: {@code Authorization}, {@code Cookie}, {@code X-Eddy-Signature}, any
 * name with "key", "token", "secret", ...) — those values are redacted wherever else they appear too (a destination
 * echoing one in its answer).
 */
public final class RecordingTransport implements HttpTransport {

    static final String REDACTED = "[redacted]";

    /** One recorded exchange; {@code response} is null when no answer came, {@code error} then says why. */
    public record Exchange(String method, String url, Map<String, String> headers, String body,
                           Response response, String error) {
    }

    /** The recorded answer. */
    public record Response(int status, Map<String, String> headers, String body) {
    }

    private final HttpTransport delegate;
    private final Set<String> secrets;
    private final List<Exchange> exchanges = Collections.synchronizedList(new ArrayList<>());

    /** @param secrets the plaintext secret values to redact wherever they appear (filled while the connector opens) */
    public RecordingTransport(HttpTransport delegate, Set<String> secrets) {
        this.delegate = delegate;
        this.secrets = secrets;
    }

    public List<Exchange> exchanges() {
        synchronized (exchanges) {
            return List.copyOf(exchanges);
        }
    }

    @Override
    public Answer send(Call call) throws IOException, InterruptedException {
        try {
            Answer answer = delegate.send(call);
            record(call, answer, null);
            return answer;
        } catch (IOException | RuntimeException e) {
            record(call, null, e);
            throw e;
        }
    }

    @Override
    public CompletableFuture<Answer> sendAsync(Call call) {
        return delegate.sendAsync(call).whenComplete((answer, error) -> record(call, answer, error));
    }

    private void record(Call call, Answer answer, Throwable error) {
        call.headers().forEach((name, value) -> {
            if (credential(name) && value != null) {
                // also redacted where the destination echoes it (its answer, the outcome's reason)
                secrets.add(value);
                int space = value.indexOf(' ');
                if (space > 0 && value.length() - space > 4) {
                    secrets.add(value.substring(space + 1));  // the token of "Bearer <token>"
                }
            }
        });
        Map<String, String> headers = new LinkedHashMap<>();
        call.headers().forEach((name, value) -> headers.put(name, credential(name) ? REDACTED : redact(value)));
        Response response = null;
        if (answer != null) {
            Map<String, String> answerHeaders = new LinkedHashMap<>();
            answer.headers().forEach((name, values) -> {
                if (!name.startsWith(":")) {
                    answerHeaders.put(name, credential(name) ? REDACTED : redact(String.join(", ", values)));
                }
            });
            response = new Response(answer.status(), answerHeaders, redact(answer.body()));
        }
        String body = call.body() == null ? null : redact(new String(call.body(), StandardCharsets.UTF_8));
        exchanges.add(new Exchange(call.method(), redact(UrlSecrets.masked(call.uri().toString())), headers, body, response,
                error == null ? null : String.valueOf(error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage())));
    }

    private static boolean credential(String name) {
        return CredentialHeaders.isCredential(name) || name.equalsIgnoreCase(Signatures.HEADER);
    }

    /** {@code text} with every secret known so far (opened secrets, credential header values) replaced. */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String result = text;
        for (String secret : secrets) {
            // very short values would redact unrelated text; they are not meaningful secrets anyway
            if (secret != null && secret.length() >= 4) {
                result = result.replace(secret, REDACTED);
            }
        }
        return result;
    }
}
