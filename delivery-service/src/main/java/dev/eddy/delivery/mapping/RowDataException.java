package dev.eddy.delivery.mapping;

/** A change's row data is not a JSON object, so it cannot be mapped; the row is rejected. */
public final class RowDataException extends Exception {

    public RowDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
