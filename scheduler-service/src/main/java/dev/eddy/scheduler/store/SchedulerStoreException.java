package dev.eddy.scheduler.store;

/** The scheduler's PostgreSQL state could not be read or written; the consumer loop retries the event. */
public class SchedulerStoreException extends RuntimeException {
    public SchedulerStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
