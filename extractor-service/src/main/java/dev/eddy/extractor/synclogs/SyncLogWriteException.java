package dev.eddy.extractor.synclogs;

/** Writing a run's sync logs to its warehouse failed; the run itself is unaffected. */
public class SyncLogWriteException extends Exception {
    public SyncLogWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
