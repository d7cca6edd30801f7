package dev.eddy.contracts.egress;

/** A destination, source, broker or Git remote address the egress policy does not let Eddy connect to. */
public class EgressDeniedException extends Exception {

    public EgressDeniedException(String message) {
        super(message);
    }
}
