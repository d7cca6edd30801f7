package dev.eddy.extractor.synclogs;

/**
 * Writing a run's sync logs to its warehouse failed; the message is the reason (the warehouse's own where it
 * answered). The run's result stands; it is marked with a warning.
 */
public class SyncLogWriteException extends Exception {
    public SyncLogWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
