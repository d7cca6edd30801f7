package dev.eddy.delivery.api;

import dev.eddy.contracts.secrets.InternalCredential;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.testsupport.EddyInfrastructureResource;
import io.restassured.specification.RequestSpecification;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static io.restassured.RestAssured.given;

/** Calls delivery's internal endpoints as config-service does: with the internal credential and a signed spec. */
final class InternalCalls {

    static final InternalCredential CREDENTIAL = new InternalCredential(EddyInfrastructureResource.SECRET_KEY);

    private InternalCalls() {
    }

    /** A request with the internal credential. */
    static RequestSpecification internal() {
        return given().contentType("application/json").header(InternalCredential.HEADER, CREDENTIAL.token());
    }

    /** A test-row body for this spec, signed over its exact JSON as config-service signs it. */
    static Map<String, Object> testRow(SyncSpec spec, String op, Map<String, Object> row) {
        String json = spec.toJson();
        return Map.of("syncId", spec.syncId(), "spec", json,
                "specSignature", CREDENTIAL.sign(json.getBytes(StandardCharsets.UTF_8)), "op", op, "row", row);
    }
}
