package dev.eddy.extractor.service;

/** Why an extraction failed, as carried in {@code RowBatch.errorCode}. */
public enum ErrorCode {
    /** The run request's spec cannot be read or has no model. */
    INVALID_SPEC,
    /** No dialect reads the source's type. */
    SOURCE_TYPE_UNSUPPORTED,
    /** The source's configuration lacks a setting or a sealed secret cannot be opened. */
    SOURCE_CONFIGURATION_INVALID,
    /** The source cannot be reached or refused the login. */
    SOURCE_UNREACHABLE,
    /** The warehouse refused or aborted the model SQL. */
    QUERY_FAILED,
    /** The primary key column or a mapped column is not in the result. */
    QUERY_COLUMN_MISSING,
    /** A row's primary key is NULL. */
    NULL_PRIMARY_KEY,
    /** A row does not fit one Kafka record under {@code eddy.kafka.max-record-bytes}. */
    ROW_TOO_LARGE
}
