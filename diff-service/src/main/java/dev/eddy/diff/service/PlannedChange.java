package dev.eddy.diff.service;

import dev.eddy.contracts.avro.ChangeOp;

/** One row of a run's change set before it is sent: its key, op, hash (committed on acceptance) and data. */
public record PlannedChange(String pk, ChangeOp op, byte[] hash, String data) {
}
