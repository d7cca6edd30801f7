package dev.eddy.contracts.failure;

import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Tells a transient failure (wait and try the same thing again) from a permanent one (trying again gives the same
 * answer: dead-letter the record, end its run failed), by walking the whole cause chain (and a
 * {@link SQLException}'s next exceptions): the failure is <b>transient when any exception in it is of a transient
 * kind</b>, permanent otherwise. Transient kinds:
 * <ul>
 *   <li>{@link TransientFailureException}, which Eddy code throws to say so;</li>
 *   <li>JDBC: {@link SQLTransientException} (connection, timeout, rollback), {@link SQLRecoverableException}, and an
 *       {@link SQLException} whose SQLState is of class {@code 08} (connection exception; except {@code 08P01},
 *       PostgreSQL's protocol violation, which the same statement repeats), {@code 57P01}-{@code 57P03} (admin or
 *       crash shutdown, cannot connect now), class {@code 53} (insufficient resources: disk full, out of memory, too
 *       many connections), {@code 40001} (serialization failure) or {@code 40P01} (deadlock);</li>
 *   <li>Agroal's pool saying no connection came in time: a plain {@link SQLException} "Acquisition timeout while
 *       waiting for new connection" (no SQLState; its cause is a {@link java.util.concurrent.TimeoutException}). When
 *       the pool's attempt to open a connection failed it throws the driver's exception (PostgreSQL: SQLState
 *       {@code 08001}), covered above;</li>
 *   <li>Kafka: {@link RetriableException} (its {@code TimeoutException}, {@code NetworkException},
 *       {@code NotEnoughReplicasException}, {@code RetriableCommitFailedException}...) and
 *       {@link RebalanceInProgressException};</li>
 *   <li>{@link java.util.concurrent.TimeoutException}: something did not answer in time (a future of a send, a pool);</li>
 *   <li>network: {@link ConnectException}, {@link NoRouteToHostException}, {@link PortUnreachableException},
 *       {@link SocketTimeoutException}, {@link HttpTimeoutException} and {@link UnknownHostException}. An unknown host
 *       counts as transient: what a consumer's handler throws names Eddy's own infrastructure (its database, the
 *       broker, the registry), whose name resolution fails while DNS or the service is not there yet; a mistyped
 *       destination or warehouse host is not thrown to the consumer but reported in the run.</li>
 * </ul>
 * Everything else is permanent: a record that cannot be decoded, a handler bug ({@link NullPointerException},
 * {@link IllegalArgumentException}...), a constraint violation, a record too large for the broker.
 */
public final class Failures {

    /** What to do about a failure. */
    public enum Kind {
        /** Wait and try the same thing again; never skip it. */
        TRANSIENT,
        /** Trying again gives the same answer. */
        PERMANENT
    }

    private static final String AGROAL_ACQUISITION_TIMEOUT = "Acquisition timeout";

    private Failures() {
    }

    public static Kind classify(Throwable failure) {
        return isTransient(failure) ? Kind.TRANSIENT : Kind.PERMANENT;
    }

    /** True when any exception in the failure's cause chain is of a transient kind (see the class comment). */
    public static boolean isTransient(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        return anyTransient(failure, seen);
    }

    private static boolean anyTransient(Throwable t, Set<Throwable> seen) {
        for (Throwable current = t; current != null && seen.add(current); current = current.getCause()) {
            if (isTransientKind(current)) {
                return true;
            }
            if (current instanceof SQLException sql) {
                SQLException next = sql.getNextException();
                if (next != null && next != sql.getCause() && anyTransient(next, seen)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isTransientKind(Throwable t) {
        if (t instanceof TransientFailureException
                || t instanceof SQLTransientException
                || t instanceof SQLRecoverableException
                || t instanceof RetriableException
                || t instanceof RebalanceInProgressException
                || t instanceof java.util.concurrent.TimeoutException
                || t instanceof ConnectException
                || t instanceof NoRouteToHostException
                || t instanceof PortUnreachableException
                || t instanceof SocketTimeoutException
                || t instanceof HttpTimeoutException
                || t instanceof UnknownHostException) {
            return true;
        }
        if (t instanceof SQLException sql) {
            return isTransientSqlState(sql.getSQLState())
                    || sql.getSQLState() == null && sql.getMessage() != null
                    && sql.getMessage().startsWith(AGROAL_ACQUISITION_TIMEOUT);
        }
        return false;
    }

    /** True for the SQLStates listed in the class comment. */
    public static boolean isTransientSqlState(String state) {
        if (state == null || state.length() != 5) {
            return false;
        }
        return state.startsWith("08") && !state.equals("08P01")
                || state.startsWith("53")
                || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                || state.equals("40001") || state.equals("40P01");
    }

    /** The innermost cause. */
    public static Throwable rootCause(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Throwable root = failure;
        for (Throwable current = failure; current != null && seen.add(current); current = current.getCause()) {
            root = current;
        }
        return root;
    }
}
