package dev.eddy.delivery.spi;

/** Opens a sealed configuration value; a value that is not sealed comes back as it is. */
@FunctionalInterface
public interface SecretOpener {

    /** The plaintext of a possibly sealed value; throws {@link IllegalStateException} when it cannot be opened. */
    String open(String value);
}
