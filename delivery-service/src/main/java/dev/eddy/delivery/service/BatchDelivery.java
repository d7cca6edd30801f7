package dev.eddy.delivery.service;

import dev.eddy.delivery.retry.RetryPolicy;
import dev.eddy.delivery.spi.DeliveryRow;
import dev.eddy.delivery.spi.DestinationConnector;
import dev.eddy.delivery.spi.RetriableDeliveryException;
import dev.eddy.delivery.spi.WriteOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Writes one slice of rows through an opened connector and retries what failed for a passing reason under
 * the retry policy. When the retries are used up, rows of an unreachable destination make the run fatal;
 * rows a destination kept refusing for a passing reason (429, 5xx) fail without stopping the run.
 */
@ApplicationScoped
public class BatchDelivery {

    private static final Logger LOG = Logger.getLogger(BatchDelivery.class);

    /** The slice's outcomes in row order, and the fatal error that stops the run, if one occurred. */
    public record SliceOutcome(List<FinalOutcome> outcomes, Optional<String> fatalError) {
    }

    private final RetryPolicy retryPolicy;

    public BatchDelivery(RetryPolicy retryPolicy) {
        this.retryPolicy = retryPolicy;
    }

    public SliceOutcome deliver(DestinationConnector connector, List<DeliveryRow> rows) {
        return deliver(connector, rows, retryPolicy);
    }

    /** The service's retry policy, for callers that adjust it per sync. */
    public RetryPolicy defaultPolicy() {
        return retryPolicy;
    }

    /**
     * Writes {@code rows} under {@code retryPolicy}. Rows whose write was rejected as a group (one request or
     * statement carried them with others, {@link WriteOutcome#rejectedAsGroup}) are written again once the rest of
     * the write is settled: split in halves, each half written again, recursively, so the rejected rows are isolated
     * (each keeping its own reason) and the good ones land — also when only part of a write was refused (one event
     * kind's request of a batched http write, one of postgres' statements).
     */
    public SliceOutcome deliver(DestinationConnector connector, List<DeliveryRow> rows, RetryPolicy retryPolicy) {
        FinalOutcome[] outcomes = new FinalOutcome[rows.size()];
        List<Integer> pending = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            pending.add(i);
        }
        List<Integer> refusedTogether = new ArrayList<>();
        String groupReason = null;
        RetryPolicy.Attempts attempts = retryPolicy.start();
        while (true) {
            String reason;
            boolean unreachable = false;
            Optional<Duration> retryAfter = Optional.empty();
            try {
                List<DeliveryRow> slice = pending.size() == rows.size() ? rows : pending.stream().map(rows::get).toList();
                List<WriteOutcome> written = connector.write(slice);
                if (written == null || written.size() != slice.size()) {
                    throw new IllegalStateException("connector " + connector.type() + " returned "
                            + (written == null ? "no" : written.size()) + " outcomes for " + slice.size() + " rows");
                }
                List<Integer> stillPending = new ArrayList<>();
                reason = null;
                for (int j = 0; j < written.size(); j++) {
                    int row = pending.get(j);
                    WriteOutcome outcome = written.get(j);
                    switch (outcome.status()) {
                        case ACCEPTED -> outcomes[row] = FinalOutcome.accepted();
                        case REJECTED -> {
                            outcomes[row] = FinalOutcome.rejected(outcome.reason());
                            if (outcome.groupRejection()) {
                                refusedTogether.add(row);
                                groupReason = outcome.reason();
                            }
                        }
                        case RETRIABLE -> {
                            stillPending.add(row);
                            reason = outcome.reason();
                        }
                    }
                }
                pending = stillPending;
                if (pending.isEmpty()) {
                    return isolate(connector, rows, refusedTogether, groupReason, outcomes, retryPolicy);
                }
            } catch (RetriableDeliveryException e) {
                reason = e.getMessage();
                unreachable = e.destinationUnreachable();
                retryAfter = e.retryAfter();
            } catch (RuntimeException e) {
                String fatal = "destination connector " + connector.type() + " failed: " + e;
                LOG.errorf(e, "The %s connector failed unexpectedly; the run stops", connector.type());
                return failRest(outcomes, pending, fatal, Optional.of(fatal));
            }
            LOG.debugf("Write of %d rows failed on attempt %d: %s", pending.size(), attempts.made(), reason);
            if (!awaitRetry(attempts, retryAfter)) {
                int made = attempts.made();
                if (unreachable) {
                    // logged once, by the caller that marks the run fatal; rows refused as a group keep that reason
                    String fatal = "destination unreachable: " + reason + " (after " + made + " attempts)";
                    return failRest(outcomes, pending, fatal, Optional.of(fatal));
                }
                LOG.warnf("%d rows failed after %d attempts", pending.size(), made);
                failRest(outcomes, pending, reason + " (after " + made + " attempts)", Optional.empty());
                return isolate(connector, rows, refusedTogether, groupReason, outcomes, retryPolicy);
            }
        }
    }

    /**
     * Writes the rows refused as a group again, in halves, so each rejected row is found; a group of one row was
     * judged alone and keeps its rejection.
     */
    private SliceOutcome isolate(DestinationConnector connector, List<DeliveryRow> rows, List<Integer> refusedTogether,
                                 String reason, FinalOutcome[] outcomes, RetryPolicy retryPolicy) {
        if (refusedTogether.size() < 2) {
            return new SliceOutcome(Arrays.asList(outcomes), Optional.empty());
        }
        int middle = refusedTogether.size() / 2;
        LOG.debugf("%d rows were refused together (%s); retrying them in halves to isolate the rejected rows",
                refusedTogether.size(), reason);
        Optional<String> fatal = Optional.empty();
        for (List<Integer> half : List.of(refusedTogether.subList(0, middle), refusedTogether.subList(middle, refusedTogether.size()))) {
            if (fatal.isPresent()) {
                // not sent again: they keep the destination's rejection
                continue;
            }
            SliceOutcome sub = deliver(connector, half.stream().map(rows::get).toList(), retryPolicy);
            for (int j = 0; j < half.size(); j++) {
                outcomes[half.get(j)] = sub.outcomes().get(j);
            }
            fatal = sub.fatalError();
        }
        return new SliceOutcome(Arrays.asList(outcomes), fatal);
    }

    private static boolean awaitRetry(RetryPolicy.Attempts attempts, Optional<Duration> retryAfter) {
        try {
            return attempts.awaitNext(retryAfter);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static SliceOutcome failRest(FinalOutcome[] outcomes, List<Integer> pending, String reason,
                                         Optional<String> fatal) {
        for (int row : pending) {
            outcomes[row] = FinalOutcome.failed(reason);
        }
        return new SliceOutcome(Arrays.asList(outcomes), fatal);
    }
}
