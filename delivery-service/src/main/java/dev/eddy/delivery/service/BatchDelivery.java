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
     * Writes {@code rows} under {@code retryPolicy}. When a connector that judges a write as a whole rejects
     * every row of a write of several rows, the rows are split in halves and each half is written again,
     * recursively, so the rejected rows are isolated (each keeping its own reason) and the good ones land.
     */
    public SliceOutcome deliver(DestinationConnector connector, List<DeliveryRow> rows, RetryPolicy retryPolicy) {
        FinalOutcome[] outcomes = new FinalOutcome[rows.size()];
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            pending.add(i);
        }
        RetryPolicy.Attempts attempts = retryPolicy.start();
        while (true) {
            String reason;
            boolean unreachable = false;
            Optional<Duration> retryAfter = Optional.empty();
            try {
                List<DeliveryRow> slice = pending.stream().map(rows::get).toList();
                List<WriteOutcome> written = connector.write(slice);
                if (written == null || written.size() != slice.size()) {
                    throw new IllegalStateException("connector " + connector.type() + " returned "
                            + (written == null ? "no" : written.size()) + " outcomes for " + slice.size() + " rows");
                }
                if (pending.size() > 1 && !connector.outcomesPerRow()
                        && written.stream().allMatch(o -> o.status() == WriteOutcome.Status.REJECTED)) {
                    return split(connector, rows, pending, outcomes, retryPolicy);
                }
                List<Integer> stillPending = new ArrayList<>();
                reason = null;
                for (int j = 0; j < written.size(); j++) {
                    int row = pending.get(j);
                    WriteOutcome outcome = written.get(j);
                    switch (outcome.status()) {
                        case ACCEPTED -> outcomes[row] = FinalOutcome.accepted();
                        case REJECTED -> outcomes[row] = FinalOutcome.rejected(outcome.reason());
                        case RETRIABLE -> {
                            stillPending.add(row);
                            reason = outcome.reason();
                        }
                    }
                }
                pending = stillPending;
                if (pending.isEmpty()) {
                    return new SliceOutcome(Arrays.asList(outcomes), Optional.empty());
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
                    // logged once, by the caller that marks the run fatal
                    String fatal = "destination unreachable: " + reason + " (after " + made + " attempts)";
                    return failRest(outcomes, pending, fatal, Optional.of(fatal));
                }
                LOG.warnf("%d rows failed after %d attempts", pending.size(), made);
                return failRest(outcomes, pending, reason + " (after " + made + " attempts)", Optional.empty());
            }
        }
    }

    private SliceOutcome split(DestinationConnector connector, List<DeliveryRow> rows, List<Integer> pending,
                               FinalOutcome[] outcomes, RetryPolicy retryPolicy) {
        int middle = pending.size() / 2;
        LOG.debugf("A write of %d rows was rejected as a whole; retrying its halves to isolate the rejected rows",
                pending.size());
        Optional<String> fatal = Optional.empty();
        for (List<Integer> half : List.of(pending.subList(0, middle), pending.subList(middle, pending.size()))) {
            if (fatal.isPresent()) {
                failRest(outcomes, half, "not sent: " + fatal.get(), fatal);
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
