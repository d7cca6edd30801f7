package dev.eddy.extractor.spi;

/** The source cannot be reached, or refused the connection; the message is the driver's. */
public class SourceUnreachableException extends Exception {

    public SourceUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
