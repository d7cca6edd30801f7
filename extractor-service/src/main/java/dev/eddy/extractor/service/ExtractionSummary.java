package dev.eddy.extractor.service;

import java.util.List;

/** What a completed extraction read: the number of rows and the result's columns in order. */
public record ExtractionSummary(long querySize, List<String> columns) {
}
