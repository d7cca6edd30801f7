package dev.eddy.extractor.spi;

/** A JSON document as the source returned it (json, jsonb, ...), embedded as JSON rather than as a string. */
public record JsonText(String json) {
}
