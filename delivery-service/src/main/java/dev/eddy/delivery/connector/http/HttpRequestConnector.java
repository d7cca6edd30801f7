package dev.eddy.delivery.connector.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.destination.ConfigProblem;
import dev.eddy.contracts.destination.DestinationDescriptor;
import dev.eddy.contracts.destination.HttpRequestDescriptor;
import dev.eddy.contracts.secrets.UrlSecrets;
import dev.eddy.contracts.template.InvalidTemplateException;
import dev.eddy.contracts.template.Liquid;
import dev.eddy.delivery.connector.EgressRefusedException;
import dev.eddy.delivery.connector.HttpErrors;
import dev.eddy.delivery.connector.HttpTransport;
import dev.eddy.delivery.connector.Signatures;
import dev.eddy.delivery.spi.ConnectorContext;
import dev.eddy.delivery.spi.DeliveryRow;
import dev.eddy.delivery.spi.DestinationConfigurationException;
import dev.eddy.delivery.spi.DestinationConnector;
import dev.eddy.delivery.spi.RequestThrottle;
import dev.eddy.delivery.spi.RetriableDeliveryException;
import dev.eddy.delivery.spi.WriteOutcome;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * The {@code http} destination (Hightouch's "HTTP Request"): per event kind ({@code added}, {@code changed},
 * {@code removed}) its own {@code method}, {@code url} template and JSON {@code body} template, in Liquid with
 * {@code row} (the mapped fields), {@code primaryKey}, {@code op}, {@code sync.id}, {@code run.id} in scope. An
 * event kind without a request is not sent (its rows are accepted: the user chose not to send them).
 *
 * <p>One row per request (default: each row its own outcome, with up to the sync's {@code concurrency}
 * requests in flight) or, with {@code "batched": true}, one request per event kind per write whose body is
 * the {@code batchBody} template rendered with {@code rows} (the mapped rows) or, without it, a JSON array of
 * the rows' rendered bodies. Every request goes through the sync's rate limit; the configured {@code headers}
 * (values may be sealed) are added and, with a {@code signingSecret}, {@code X-Eddy-Signature}.
 * 2xx accepts, 429/5xx/timeouts are retried, other statuses reject (a batched request's refusal is a
 * {@linkplain WriteOutcome#rejectedAsGroup group rejection} of its event kind's rows: the runtime isolates the rows
 * at fault). The configuration rules are {@link HttpRequestDescriptor}'s.
 */
public final class HttpRequestConnector implements DestinationConnector {

    public static final String TYPE = HttpRequestDescriptor.TYPE;
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    /** One event kind's request, its templates parsed. */
    private record Request(String method, Liquid.Compiled url, Liquid.Compiled body, Liquid.Compiled batchBody) {
    }

    /** A row whose request is ready to send, or the reason it cannot be built. */
    private record Built(HttpTransport.Call call, String problem) {
    }

    private final HttpTransport http;
    private final Duration requestTimeout;
    private final Clock clock;
    private final Map<DeliveryRow.Operation, Request> requests = new EnumMap<>(DeliveryRow.Operation.class);
    private Map<String, String> headers = Map.of();
    private String signingSecret;
    private boolean batched;
    private int concurrency = 1;
    private RequestThrottle throttle = RequestThrottle.unlimited();
    private Map<String, Object> sync = Map.of();
    private Map<String, Object> run = Map.of();

    public HttpRequestConnector(HttpTransport http, Duration requestTimeout, Clock clock) {
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.clock = clock;
    }

    @Override
    public DestinationDescriptor descriptor() {
        return HttpRequestDescriptor.INSTANCE;
    }

    @Override
    public void open(ConnectorContext context) throws DestinationConfigurationException {
        List<ConfigProblem> problems = validate(context.configuration());
        if (!problems.isEmpty()) {
            throw new DestinationConfigurationException(problems);
        }
        Map<String, Object> config = context.configuration();
        try {
            for (DeliveryRow.Operation op : DeliveryRow.Operation.values()) {
                if (config.get(op.wireName()) instanceof Map<?, ?> request) {
                    requests.put(op, new Request(((String) request.get("method")).toUpperCase(Locale.ROOT),
                            Liquid.parse(openUrl(context, op.wireName() + ".url", (String) request.get("url"))),
                            request.get("body") == null ? null : Liquid.parse((String) request.get("body")),
                            request.get("batchBody") == null ? null : Liquid.parse((String) request.get("batchBody"))));
                }
            }
        } catch (InvalidTemplateException e) {
            throw new DestinationConfigurationException(List.of(new ConfigProblem("template", e.getMessage())));
        }
        Map<String, String> opened = new LinkedHashMap<>();
        if (config.get("headers") instanceof Map<?, ?> configured) {
            for (Map.Entry<?, ?> header : configured.entrySet()) {
                opened.put(String.valueOf(header.getKey()), open(context, "headers." + header.getKey(), String.valueOf(header.getValue())));
            }
        }
        headers = Collections.unmodifiableMap(opened);
        if (config.get("signingSecret") instanceof String sealed) {
            signingSecret = open(context, "signingSecret", sealed);
        }
        batched = Boolean.TRUE.equals(config.get("batched"));
        concurrency = Math.max(1, context.settings().concurrency());
        throttle = context.settings().throttle();
        sync = Map.of("id", String.valueOf(context.syncId()));
        run = Map.of("id", String.valueOf(context.runId()));
    }

    /** A URL template with its sealed tokens opened (they are sealed in place at rest). */
    private static String openUrl(ConnectorContext context, String field, String url) throws DestinationConfigurationException {
        try {
            return UrlSecrets.open(url, context.secrets()::open);
        } catch (IllegalStateException e) {
            throw new DestinationConfigurationException(List.of(new ConfigProblem(field, "the sealed value cannot be opened")));
        }
    }

    private static String open(ConnectorContext context, String field, String value) throws DestinationConfigurationException {
        try {
            return context.secrets().open(value);
        } catch (IllegalStateException e) {
            throw new DestinationConfigurationException(List.of(new ConfigProblem(field, "the sealed value cannot be opened")));
        }
    }

    @Override
    public List<WriteOutcome> write(List<DeliveryRow> rows) throws RetriableDeliveryException {
        return batched ? writeBatched(rows) : writePerRow(rows);
    }

    private List<WriteOutcome> writePerRow(List<DeliveryRow> rows) throws RetriableDeliveryException {
        WriteOutcome[] outcomes = new WriteOutcome[rows.size()];
        List<CompletableFuture<HttpTransport.Answer>> calls = new ArrayList<>(Collections.nCopies(rows.size(), null));
        List<HttpTransport.Call> sent = new ArrayList<>(Collections.nCopies(rows.size(), null));
        Semaphore inFlight = new Semaphore(concurrency);
        try {
            for (int i = 0; i < rows.size(); i++) {
                DeliveryRow row = rows.get(i);
                Request request = requests.get(row.op());
                if (request == null) {
                    outcomes[i] = WriteOutcome.accepted();
                    continue;
                }
                Built built = build(request, scope(row), request.body());
                if (built.problem() != null) {
                    outcomes[i] = WriteOutcome.rejected(built.problem());
                    continue;
                }
                throttle.acquire();
                inFlight.acquire();
                sent.set(i, built.call());
                calls.set(i, http.sendAsync(built.call()).whenComplete((answer, error) -> inFlight.release()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            calls.stream().filter(c -> c != null).forEach(c -> c.cancel(true));
            throw RetriableDeliveryException.unreachable("interrupted while sending", e);
        }
        int retriable = 0;
        int unreachable = 0;
        int accepted = 0;
        RetriableDeliveryException last = null;
        Duration retryAfter = null;
        for (int i = 0; i < rows.size(); i++) {
            if (calls.get(i) == null) {
                continue;
            }
            RetriableDeliveryException failure = null;
            try {
                HttpTransport.Answer answer = calls.get(i).join();
                if (answer.status() >= 200 && answer.status() < 300) {
                    outcomes[i] = WriteOutcome.accepted();
                    accepted++;
                } else if (HttpErrors.retriable(answer.status())) {
                    failure = HttpErrors.unavailable(answer, clock);
                } else {
                    outcomes[i] = WriteOutcome.rejected(HttpErrors.reason(answer));
                }
            } catch (RuntimeException e) {
                if (e.getCause() instanceof EgressRefusedException refused) {
                    // the row's URL is one Eddy may not call: no retry changes that
                    outcomes[i] = WriteOutcome.rejected("not sent: " + refused.getMessage());
                    continue;
                }
                failure = HttpErrors.unreachable(sent.get(i).uri(), e);
                unreachable++;
            }
            if (failure != null) {
                outcomes[i] = WriteOutcome.retriable(failure.getMessage());
                retriable++;
                last = failure;
                Duration wait = failure.retryAfter().orElse(null);
                if (wait != null && (retryAfter == null || wait.compareTo(retryAfter) > 0)) {
                    retryAfter = wait;
                }
            }
        }
        // when nothing got through, retry the write as a whole so Retry-After and "unreachable" count
        if (retriable > 0 && accepted == 0 && retriable == rows.size()) {
            if (unreachable == retriable) {
                throw last;
            }
            throw RetriableDeliveryException.unavailable(last.getMessage(), retryAfter);
        }
        return List.of(outcomes);
    }

    private List<WriteOutcome> writeBatched(List<DeliveryRow> rows) throws RetriableDeliveryException {
        WriteOutcome[] outcomes = new WriteOutcome[rows.size()];
        for (DeliveryRow.Operation op : DeliveryRow.Operation.values()) {
            List<Integer> positions = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                if (rows.get(i).op() == op) {
                    positions.add(i);
                }
            }
            if (positions.isEmpty()) {
                continue;
            }
            Request request = requests.get(op);
            if (request == null) {
                positions.forEach(i -> outcomes[i] = WriteOutcome.accepted());
                continue;
            }
            Built built = buildBatch(request, positions.stream().map(rows::get).toList());
            if (built.problem() != null) {
                // a row whose body template did not render fails the whole request body: isolate it like a refusal
                positions.forEach(i -> outcomes[i] = WriteOutcome.rejectedAsGroup(built.problem()));
                continue;
            }
            HttpTransport.Answer answer;
            try {
                throttle.acquire();
                answer = http.send(built.call());
            } catch (EgressRefusedException refused) {
                positions.forEach(i -> outcomes[i] = WriteOutcome.rejected("not sent: " + refused.getMessage()));
                continue;
            } catch (java.io.IOException | InterruptedException e) {
                throw HttpErrors.unreachable(built.call().uri(), e);
            }
            if (HttpErrors.retriable(answer.status())) {
                throw HttpErrors.unavailable(answer, clock);
            }
            // one request per event kind: a refusal covers that kind's rows only, the other kinds' requests stand
            WriteOutcome outcome = answer.status() >= 200 && answer.status() < 300
                    ? WriteOutcome.accepted() : WriteOutcome.rejectedAsGroup(HttpErrors.reason(answer));
            positions.forEach(i -> outcomes[i] = outcome);
        }
        return List.of(outcomes);
    }

    private Map<String, Object> scope(DeliveryRow row) {
        Map<String, Object> scope = new LinkedHashMap<>();
        scope.put("row", row.fields());
        scope.put("primaryKey", row.primaryKey());
        scope.put("op", row.op().wireName());
        scope.put("sync", sync);
        scope.put("run", run);
        return scope;
    }

    private Built build(Request request, Map<String, Object> scope, Liquid.Compiled bodyTemplate) {
        try {
            String url = request.url().render(scope).trim();
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                return new Built(null, "the url template rendered '" + url + "', not a URL");
            }
            if (uri.getScheme() == null || uri.getHost() == null) {
                return new Built(null, "the url template rendered '" + url + "', not an absolute URL");
            }
            byte[] body = null;
            if (bodyTemplate != null && !request.method().equals("GET")) {
                String rendered = bodyTemplate.render(scope);
                String problem = notJson(rendered);
                if (problem != null) {
                    return new Built(null, "the body template did not render JSON: " + problem);
                }
                body = rendered.getBytes(StandardCharsets.UTF_8);
            }
            return new Built(call(request.method(), uri, body), null);
        } catch (InvalidTemplateException e) {
            return new Built(null, e.getMessage());
        }
    }

    private Built buildBatch(Request request, List<DeliveryRow> rows) {
        Map<String, Object> scope = new LinkedHashMap<>();
        scope.put("rows", rows.stream().map(DeliveryRow::fields).toList());
        scope.put("primaryKeys", rows.stream().map(DeliveryRow::primaryKey).toList());
        scope.put("op", rows.get(0).op().wireName());
        scope.put("sync", sync);
        scope.put("run", run);
        if (request.batchBody() != null || request.body() == null) {
            return build(request, scope, request.batchBody());
        }
        // no batch template: a JSON array of each row's rendered body
        Built first = build(request, scope, null);
        if (first.problem() != null) {
            return first;
        }
        StringBuilder array = new StringBuilder("[");
        for (DeliveryRow row : rows) {
            try {
                String rendered = request.body().render(scope(row));
                String problem = notJson(rendered);
                if (problem != null) {
                    return new Built(null, "the body template did not render JSON for row " + row.primaryKey() + ": " + problem);
                }
                array.append(array.length() > 1 ? "," : "").append(rendered);
            } catch (InvalidTemplateException e) {
                return new Built(null, e.getMessage());
            }
        }
        byte[] body = array.append(']').toString().getBytes(StandardCharsets.UTF_8);
        return new Built(call(request.method(), first.call().uri(), body), null);
    }

    private HttpTransport.Call call(String method, URI uri, byte[] body) {
        Map<String, String> requestHeaders = new LinkedHashMap<>(headers);
        if (body != null) {
            requestHeaders.put("Content-Type", "application/json");
        }
        if (signingSecret != null) {
            requestHeaders.put(Signatures.HEADER, Signatures.sign(signingSecret, body == null ? new byte[0] : body));
        }
        return new HttpTransport.Call(method, uri, requestHeaders, body, requestTimeout);
    }

    private static String notJson(String text) {
        if (text.isBlank()) {
            return "it is empty";
        }
        try {
            JSON.readTree(text);
            return null;
        } catch (JsonProcessingException e) {
            return e.getOriginalMessage();
        }
    }

    @Override
    public void close() {
        // the transport is shared; nothing else is held
    }
}
