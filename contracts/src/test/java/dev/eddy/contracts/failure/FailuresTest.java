package dev.eddy.contracts.failure;

import org.apache.kafka.clients.consumer.RetriableCommitFailedException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailuresTest {

    @Test
    void eddysOwnTransientFailureIsTransientAnywhereInTheChain() {
        assertTrue(Failures.isTransient(new TransientFailureException("database away")));
        assertTrue(Failures.isTransient(new IllegalStateException("wrapped",
                new RuntimeException(new TransientFailureException("deep")))));
        assertEquals(Failures.Kind.TRANSIENT, Failures.classify(new TransientFailureException("x")));
    }

    @Test
    void jdbcTransientAndRecoverableExceptionsAreTransient() {
        assertTrue(Failures.isTransient(new SQLTransientConnectionException("no connection")));
        assertTrue(Failures.isTransient(new SQLTimeoutException("statement timeout")));
        assertTrue(Failures.isTransient(new SQLRecoverableException("reconnect")));
    }

    @Test
    void sqlStatesOfConnectionShutdownResourcesAndConcurrencyAreTransient() {
        for (String state : new String[]{"08001", "08006", "08003", "08004", "57P01", "57P02", "57P03",
                "53000", "53100", "53200", "53300", "40001", "40P01"}) {
            assertTrue(Failures.isTransient(new SQLException("x", state)), state);
        }
        // PostgreSQL's protocol violation repeats; constraint, data and syntax errors are the record's or the code's
        for (String state : new String[]{"08P01", "23505", "22021", "22P05", "42P01", "57014", "XX000", "0800", ""}) {
            assertFalse(Failures.isTransient(new SQLException("x", state)), state);
        }
        assertFalse(Failures.isTransient(new SQLException("no state")));
        assertFalse(Failures.isTransient(new SQLIntegrityConstraintViolationException("dup", "23505")));
    }

    @Test
    void aConnectionRefusedWrappedByTheDriverAndTheServiceIsTransient() {
        SQLException driver = new SQLException("Connection to 127.0.0.1:5432 refused", "08001",
                new ConnectException("Connection refused"));
        assertTrue(Failures.isTransient(new IllegalStateException("could not stage", driver)));
    }

    @Test
    void agroalsAcquisitionTimeoutIsTransient() {
        // what io.agroal.pool.ConnectionPool throws when no connection came within the acquisition timeout
        SQLException agroal = new SQLException("Acquisition timeout while waiting for new connection",
                new java.util.concurrent.TimeoutException());
        assertTrue(Failures.isTransient(agroal));
        assertTrue(Failures.isTransient(new SQLException("Acquisition timeout while waiting for new connection")));
    }

    @Test
    void aBatchUpdatesNextExceptionCounts() {
        BatchUpdateException batch = new BatchUpdateException("Batch entry 0 was aborted", "08006", new int[0]);
        assertTrue(Failures.isTransient(batch));
        BatchUpdateException aborted = new BatchUpdateException("Batch entry 0 was aborted", null, new int[0]);
        aborted.setNextException(new SQLException("An I/O error occurred while sending to the backend.", "08006"));
        assertTrue(Failures.isTransient(aborted));
        BatchUpdateException constraint = new BatchUpdateException("Batch entry 0 was aborted", null, new int[0]);
        constraint.setNextException(new SQLException("duplicate key", "23505"));
        assertFalse(Failures.isTransient(constraint));
    }

    @Test
    void kafkaRetriableExceptionsAndTimeoutsAreTransient() {
        assertTrue(Failures.isTransient(new TimeoutException("Topic not present in metadata after 60000 ms")));
        assertTrue(Failures.isTransient(new NetworkException("disconnected")));
        assertTrue(Failures.isTransient(new RetriableCommitFailedException("retry")));
        assertTrue(Failures.isTransient(new RebalanceInProgressException("rebalancing")));
        assertTrue(Failures.isTransient(new IllegalStateException("the broker refused the event",
                new TimeoutException("Expiring 1 record(s)"))));
        assertTrue(Failures.isTransient(new java.util.concurrent.TimeoutException()));
    }

    @Test
    void kafkaErrorsThatRepeatArePermanent() {
        assertFalse(Failures.isTransient(new RecordTooLargeException("The message is 2000000 bytes")));
        assertFalse(Failures.isTransient(new SerializationException("Unknown magic byte!")));
        assertFalse(Failures.isTransient(new IllegalStateException("the broker refused the event",
                new RecordTooLargeException("too large"))));
    }

    @Test
    void networkFailuresAreTransientButOtherIoErrorsAreNot() {
        assertTrue(Failures.isTransient(new ConnectException("Connection refused")));
        assertTrue(Failures.isTransient(new SocketTimeoutException("Read timed out")));
        assertTrue(Failures.isTransient(new UnknownHostException("postgres.internal")));
        assertTrue(Failures.isTransient(new HttpConnectTimeoutException("connect timed out")));
        assertTrue(Failures.isTransient(new UncheckedIOException(new ConnectException("refused"))));
        assertFalse(Failures.isTransient(new IOException("Stream closed")));
    }

    @Test
    void bugsAndBadRecordsArePermanent() {
        assertFalse(Failures.isTransient(new IllegalArgumentException("bad spec")));
        assertFalse(Failures.isTransient(new NullPointerException()));
        assertFalse(Failures.isTransient(new IllegalStateException("x", new IllegalArgumentException("y"))));
        assertEquals(Failures.Kind.PERMANENT, Failures.classify(new RuntimeException("boom")));
    }

    @Test
    void aCyclicCauseChainEnds() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        assertFalse(Failures.isTransient(a));
        assertSame(b, Failures.rootCause(a));
    }
}
