package dev.eddy.delivery.connector.webhook;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.eddy.contracts.destination.ConfigProblem;
import dev.eddy.contracts.destination.DestinationDescriptor;
import dev.eddy.contracts.destination.WebhookDescriptor;
import dev.eddy.contracts.secrets.UrlSecrets;
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

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code webhook} destination: POSTs each batch as one JSON document
 * {@code {"syncId", "runId", "batch": [{"op", "primaryKey", "row"}]}} to the configured {@code url}, with
 * {@code Content-Type: application/json} and the configured {@code headers} (values may be sealed secrets);
 * with a {@code signingSecret} (may be sealed) every request carries {@code X-Eddy-Signature: sha256=<hex>}, the
 * HMAC-SHA256 of the raw body under that secret.
 * A 2xx accepts the whole batch; 429 and 5xx are retriable; connection failures and timeouts are retriable
 * and mark the destination unreachable; any other status rejects every row of the batch with the status and
 * an excerpt of the response body, as a {@linkplain WriteOutcome#rejectedAsGroup group rejection}. The configuration
 * rules are {@link WebhookDescriptor}'s.
 */
public final class WebhookConnector implements DestinationConnector {

    public static final String TYPE = WebhookDescriptor.TYPE;
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);

    private final HttpTransport http;
    private final Duration requestTimeout;
    private final Clock clock;
    private URI url;
    private Map<String, String> headers = Map.of();
    private String syncId;
    private String runId;
    private String signingSecret;
    private RequestThrottle throttle = RequestThrottle.unlimited();

    /** @param http shared by every instance; the connector never closes it */
    public WebhookConnector(HttpTransport http, Duration requestTimeout, Clock clock) {
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.clock = clock;
    }

    @Override
    public DestinationDescriptor descriptor() {
        return WebhookDescriptor.INSTANCE;
    }

    @Override
    public void open(ConnectorContext context) throws DestinationConfigurationException {
        List<ConfigProblem> problems = validate(context.configuration());
        if (!problems.isEmpty()) {
            throw new DestinationConfigurationException(problems);
        }
        this.syncId = context.syncId();
        this.runId = context.runId();
        try {
            // a token in the URL is sealed in place at rest; opened only here, right before sending
            this.url = URI.create(UrlSecrets.open(((String) context.configuration().get("url")).trim(), context.secrets()::open));
        } catch (IllegalStateException e) {
            throw new DestinationConfigurationException(List.of(new ConfigProblem("url", "the sealed value cannot be opened")));
        }
        Map<String, String> opened = new LinkedHashMap<>();
        if (context.configuration().get("headers") instanceof Map<?, ?> configured) {
            for (Map.Entry<?, ?> header : configured.entrySet()) {
                try {
                    opened.put(String.valueOf(header.getKey()), context.secrets().open((String) header.getValue()));
                } catch (IllegalStateException e) {
                    throw new DestinationConfigurationException(List.of(
                            new ConfigProblem("headers." + header.getKey(), "the sealed value cannot be opened")));
                }
            }
        }
        this.headers = Collections.unmodifiableMap(opened);
        if (context.configuration().get("signingSecret") instanceof String sealed) {
            try {
                this.signingSecret = context.secrets().open(sealed);
            } catch (IllegalStateException e) {
                throw new DestinationConfigurationException(List.of(
                        new ConfigProblem("signingSecret", "the sealed value cannot be opened")));
            }
        }
        this.throttle = context.settings().throttle();
    }

    @Override
    public List<WriteOutcome> write(List<DeliveryRow> rows) throws RetriableDeliveryException {
        byte[] body = body(rows);
        Map<String, String> requestHeaders = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            if (!name.equalsIgnoreCase("content-type")) {
                requestHeaders.put(name, value);
            }
        });
        requestHeaders.put("Content-Type", "application/json");
        if (signingSecret != null) {
            requestHeaders.put(Signatures.HEADER, Signatures.sign(signingSecret, body));
        }
        HttpTransport.Answer answer;
        try {
            throttle.acquire();
            answer = http.send(new HttpTransport.Call("POST", url, requestHeaders, body, requestTimeout));
        } catch (EgressRefusedException refused) {
            // the URL resolves to an address Eddy may not call: no retry changes that
            return Collections.nCopies(rows.size(), WriteOutcome.rejected("not sent: " + refused.getMessage()));
        } catch (IOException | InterruptedException e) {
            throw HttpErrors.unreachable(url, e);
        }
        int status = answer.status();
        if (status >= 200 && status < 300) {
            return Collections.nCopies(rows.size(), WriteOutcome.accepted());
        }
        if (HttpErrors.retriable(status)) {
            throw HttpErrors.unavailable(answer, clock);
        }
        // one request carried every row: the refusal is the group's, and the runtime isolates the rows at fault
        return Collections.nCopies(rows.size(), WriteOutcome.rejectedAsGroup(HttpErrors.reason(answer)));
    }

    @Override
    public void close() {
        // the HTTP client is shared and outlives this instance; nothing else is held
    }

    /**
     * Writes a mapped value as data binding would (maps in order, nulls kept, decimals plain), but straight to the
     * generator for the types rows are made of: it runs for every field of every row sent.
     */
    static void writeValue(JsonGenerator json, Object value) throws IOException {
        if (value == null) {
            json.writeNull();
        } else if (value instanceof String text) {
            json.writeString(text);
        } else if (value instanceof BigDecimal decimal) {
            json.writeNumber(decimal);
        } else if (value instanceof Integer number) {
            json.writeNumber(number);
        } else if (value instanceof Long number) {
            json.writeNumber(number);
        } else if (value instanceof Boolean flag) {
            json.writeBoolean(flag);
        } else if (value instanceof Map<?, ?> map) {
            json.writeStartObject();
            for (Map.Entry<?, ?> field : map.entrySet()) {
                json.writeFieldName(String.valueOf(field.getKey()));
                writeValue(json, field.getValue());
            }
            json.writeEndObject();
        } else {
            json.writeObject(value);
        }
    }

    /** Streams the body straight into bytes: it is built on the way to every request, so no tree of maps first. */
    private byte[] body(List<DeliveryRow> rows) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + rows.size() * 128);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("syncId", syncId);
            json.writeStringField("runId", runId);
            json.writeArrayFieldStart("batch");
            for (DeliveryRow row : rows) {
                json.writeStartObject();
                json.writeStringField("op", row.op().wireName());
                json.writeStringField("primaryKey", row.primaryKey());
                json.writeFieldName("row");
                writeValue(json, row.fields());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("a webhook body cannot be written as JSON", e);
        }
        return out.toByteArray();
    }
}
