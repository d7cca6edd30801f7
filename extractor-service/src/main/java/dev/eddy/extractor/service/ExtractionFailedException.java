package dev.eddy.extractor.service;

/** An extraction that cannot complete for a reason of the source, the model or the spec (not of Kafka). */
public class ExtractionFailedException extends Exception {

    private final ErrorCode code;

    public ExtractionFailedException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public ExtractionFailedException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
