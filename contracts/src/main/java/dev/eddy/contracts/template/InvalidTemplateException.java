package dev.eddy.contracts.template;

/** A Liquid template that does not parse, or that fails while it renders; the message says which and why. */
public final class InvalidTemplateException extends Exception {

    public InvalidTemplateException(String message) {
        super(message);
    }
}
