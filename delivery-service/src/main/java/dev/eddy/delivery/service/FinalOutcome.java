package dev.eddy.delivery.service;

import dev.eddy.contracts.avro.OutcomeStatus;

/**
 * A row's outcome once delivery is done with it: accepted, rejected with a reason, or failed with a reason. The reason
 * is cut to {@link OutcomeReasons#MAX_REASON_BYTES}, whatever the destination answered.
 */
public record FinalOutcome(OutcomeStatus status, String reason) {

    private static final FinalOutcome ACCEPTED = new FinalOutcome(OutcomeStatus.ACCEPTED, null);

    public FinalOutcome {
        reason = OutcomeReasons.truncate(reason, OutcomeReasons.MAX_REASON_BYTES);
    }

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
