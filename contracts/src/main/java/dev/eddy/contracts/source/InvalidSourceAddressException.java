package dev.eddy.contracts.source;

/** A source's host, port, database or user cannot be used to build a connection; names the field at fault. */
public class InvalidSourceAddressException extends Exception {

    private final String field;

    public InvalidSourceAddressException(String field, String problem) {
        super("the source's " + field + " " + problem);
        this.field = field;
    }

    /** The configuration field at fault ({@code host}, {@code port}, {@code database} or {@code user}). */
    public String field() {
        return field;
    }
}
