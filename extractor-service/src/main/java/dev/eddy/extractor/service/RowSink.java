package dev.eddy.extractor.service;

/**
 * Receives an extraction's rows as they stream from the source. Failures of the sink itself (Kafka) are
 * unchecked and abort the extraction; they are not extraction failures.
 */
public interface RowSink {

    /** One row: canonical key text, 16-byte hash, JSON of every column. */
    void row(String pk, byte[] hash, String data);
}
