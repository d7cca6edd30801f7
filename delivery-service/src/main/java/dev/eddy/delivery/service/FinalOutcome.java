package dev.eddy.delivery.service;

import dev.eddy.contracts.avro.OutcomeStatus;

/** A row's outcome once delivery is done with it: accepted, rejected with a reason, or failed with a reason. */
public record FinalOutcome(OutcomeStatus status, String reason) {

    private static final FinalOutcome ACCEPTED = new FinalOutcome(OutcomeStatus.ACCEPTED, null);

    public static FinalOutcome accepted() {
        return ACCEPTED;
    }

    public static FinalOutcome rejected(String reason) {
        return new FinalOutcome(OutcomeStatus.REJECTED, reason);
    }

    public static FinalOutcome failed(String reason) {
        return new FinalOutcome(OutcomeStatus.FAILED, reason);
    }
}
