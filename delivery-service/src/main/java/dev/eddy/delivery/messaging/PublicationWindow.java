package dev.eddy.delivery.messaging;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The events sent but not yet known to be acknowledged, oldest first, at most {@code capacity} of them: adding
 * one more first waits for the oldest. A refusal is kept until {@link #awaitAll()} reports it, so a caller that
 * commits only after {@code awaitAll()} returns never commits past an event the broker did not take.
 */
final class PublicationWindow {

    /** How long one acknowledgement may take (the producer's own delivery timeout is longer, then it fails). */
    private static final long ACK_TIMEOUT_SECONDS = 30;

    private final int capacity;
    private final Deque<Future<?>> unacknowledged = new ArrayDeque<>();
    private Exception refusal;

    PublicationWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    synchronized void add(Future<?> sent) {
        while (unacknowledged.size() >= capacity) {
            awaitOldest();
        }
        unacknowledged.addLast(sent);
    }

    /** Waits for every event added so far; throws if the broker refused any of them since the last call. */
    synchronized void awaitAll() {
        while (!unacknowledged.isEmpty()) {
            awaitOldest();
        }
        Exception failed = refusal;
        refusal = null;
        if (failed != null) {
            throw new UnconfirmedPublicationException(failed);
        }
    }

    private void awaitOldest() {
        Future<?> oldest = unacknowledged.removeFirst();
        try {
            oldest.get(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            remember(e);
        } catch (ExecutionException e) {
            remember(e.getCause() instanceof Exception cause ? cause : e);
        } catch (TimeoutException e) {
            remember(e);
        }
    }

    private void remember(Exception e) {
        if (refusal == null) {
            refusal = e;
        }
    }
}
