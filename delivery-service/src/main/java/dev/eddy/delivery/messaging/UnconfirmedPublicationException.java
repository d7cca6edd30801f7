package dev.eddy.delivery.messaging;

/** The broker refused an event delivery sent, or did not acknowledge it in time: what it reports is redone. */
public class UnconfirmedPublicationException extends RuntimeException {
    public UnconfirmedPublicationException(Exception cause) {
        super("the broker did not acknowledge a delivery event: " + cause, cause);
    }
}
