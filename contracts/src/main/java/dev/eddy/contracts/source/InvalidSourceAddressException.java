package dev.eddy.contracts.source;

/** A source's host, port, database or user cannot be used to build a connection; names the field at fault. */
public class InvalidSourceAddressException extends Exception {

    private final String field;
    private final String problem;

    public InvalidSourceAddressException(String field, String problem) {
        super("is required".equals(problem) ? "the source's configuration has no " + field : "the source's " + field + " " + problem);
        this.field = field;
        this.problem = problem;
    }

    /** What is wrong with the field, as the API's 422 says it ("must be a port number (1-65535)"). */
    public String problem() {
        return problem;
    }

    /** The configuration field at fault ({@code host}, {@code port}, {@code database} or {@code user}). */
    public String field() {
        return field;
    }
}
