package dev.eddy.config.testrow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.config.config.EddyConfig;
import dev.eddy.config.domain.Destination;
import dev.eddy.config.domain.Model;
import dev.eddy.config.domain.Source;
import dev.eddy.config.domain.Sync;
import dev.eddy.config.service.Catalog;
import dev.eddy.config.service.SyncSpecs;
import dev.eddy.config.service.UnknownObjectException;
import dev.eddy.config.service.ValidationException;
import dev.eddy.config.store.CatalogStore;
import dev.eddy.config.store.Database;
import dev.eddy.contracts.secrets.InternalCredential;
import dev.eddy.contracts.spec.SyncSpec;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Test a row: resolves the sync's {@link SyncSpec} (secrets stay sealed) and asks delivery-service to send the
 * row through the sync's real connector ({@code POST <eddy.delivery.url>/internal/test-row}, with the internal
 * credential and the spec signed by the internal key, see {@link InternalCredential}). Nothing is
 * stored and nothing is published: neither the snapshot nor the run history changes.
 */
@ApplicationScoped
public class TestRowProxy {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** delivery-service could not be asked (down, or answered with an error). */
    public static final class DeliveryUnavailableException extends RuntimeException {
        public DeliveryUnavailableException(String message) {
            super(message);
        }
    }

    private final Database db;
    private final CatalogStore catalog;
    private final URI deliveryUrl;
    private final InternalCredential credential;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public TestRowProxy(Database db, CatalogStore catalog, EddyConfig config) {
        this.db = db;
        this.catalog = catalog;
        this.deliveryUrl = URI.create(config.delivery().url().replaceAll("/+$", "") + "/internal/test-row");
        this.credential = new InternalCredential(config.secretKey());
    }

    /** Delivery's answer: {@code {"op", "outcome": {"status", "reason"}, "requests": [...]}}. */
    public JsonNode test(String syncId, JsonNode body) {
        long id = Catalog.parseId("sync", syncId);
        if (body == null || !body.isObject()) {
            throw ValidationException.of("row", "the body must be {\"row\": {...}, \"op\": \"added\"|\"changed\"|\"removed\"}");
        }
        JsonNode row = body.path("row");
        if (!row.isObject()) {
            throw ValidationException.of("row", "row must be an object (a row of the model)");
        }
        String op = body.path("op").asText("added");
        if (!op.equals("added") && !op.equals("changed") && !op.equals("removed")) {
            throw ValidationException.of("op", "op must be added, changed or removed");
        }
        SyncSpec spec = db.inTransaction(c -> {
            Sync sync = catalog.findSync(c, id).orElseThrow(() -> new UnknownObjectException("sync", syncId));
            Model model = catalog.findModel(c, sync.modelId()).orElseThrow(() -> new UnknownObjectException("model", String.valueOf(sync.modelId())));
            Source source = catalog.findSource(c, model.sourceId()).orElseThrow(() -> new UnknownObjectException("source", String.valueOf(model.sourceId())));
            Destination destination = catalog.findDestination(c, sync.destinationId())
                    .orElseThrow(() -> new UnknownObjectException("destination", String.valueOf(sync.destinationId())));
            return SyncSpecs.resolve(sync, model, source, destination);
        });
        // the spec travels as text with the internal key's HMAC over its exact bytes: delivery runs only what we vouch for
        String specJson = spec.toJson();
        ObjectNode request = JSON.createObjectNode();
        request.put("syncId", spec.syncId());
        request.put("spec", specJson);
        request.put("specSignature", credential.sign(specJson.getBytes(StandardCharsets.UTF_8)));
        request.put("op", op);
        request.set("row", row);
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(deliveryUrl).timeout(Duration.ofSeconds(90))
                    .header("Content-Type", "application/json")
                    .header(InternalCredential.HEADER, credential.token())
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 400) {
                throw ValidationException.of("row", JSON.readTree(response.body()).path("message").asText("refused"));
            }
            if (response.statusCode() != 200) {
                throw new DeliveryUnavailableException("delivery-service answered " + response.statusCode());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new DeliveryUnavailableException("delivery-service cannot be reached at " + deliveryUrl + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryUnavailableException("interrupted while calling delivery-service");
        }
    }
}
