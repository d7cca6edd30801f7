package dev.eddy.contracts.failure;

/**
 * A failure that goes away by itself: something Eddy depends on (its database, the broker, the warehouse) did not
 * answer or refused for now. Eddy code throws it to say so explicitly; {@link Failures#isTransient} also recognises
 * the usual JDBC, Kafka and network exceptions without it. A consumer waits out a transient failure (it retries the
 * same record with backoff, consumption paused) and never skips the record nor dead-letters it.
 */
public class TransientFailureException extends RuntimeException {

    public TransientFailureException(String message) {
        super(message);
    }

    public TransientFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
