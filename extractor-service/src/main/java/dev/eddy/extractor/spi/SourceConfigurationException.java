package dev.eddy.extractor.spi;

/** A source's configuration lacks a required setting or holds an invalid one. */
public class SourceConfigurationException extends Exception {

    public SourceConfigurationException(String message) {
        super(message);
    }
}
