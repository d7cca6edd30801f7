package dev.eddy.delivery.messaging;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PublicationWindowTest {

    private static final IllegalStateException REFUSED = new IllegalStateException("NOT_ENOUGH_REPLICAS");

    @Test
    void awaitAllReturnsOnceEveryEventIsAcknowledged() {
        PublicationWindow window = new PublicationWindow(4);
        CompletableFuture<String> first = new CompletableFuture<>();
        CompletableFuture<String> second = new CompletableFuture<>();
        window.add(first);
        window.add(second);
        first.complete("ack");
        second.complete("ack");

        assertDoesNotThrow(window::awaitAll);
    }

    @Test
    void aRefusedEventIsReportedByAwaitAllSoTheCallerDoesNotCommit() {
        PublicationWindow window = new PublicationWindow(4);
        window.add(CompletableFuture.completedFuture("ack"));
        window.add(CompletableFuture.failedFuture(REFUSED));
        window.add(CompletableFuture.completedFuture("ack"));

        UnconfirmedPublicationException e = assertThrows(UnconfirmedPublicationException.class, window::awaitAll);
        assertSame(REFUSED, e.getCause());
        // reported once: the caller replays the batches, whose new events are awaited afresh
        assertDoesNotThrow(window::awaitAll);
    }

    @Test
    void aRefusalSeenWhileMakingRoomIsStillReportedByTheNextAwaitAll() {
        PublicationWindow window = new PublicationWindow(1);
        window.add(CompletableFuture.failedFuture(REFUSED));
        // the window is full: adding waits for the refused event first, and must not forget the refusal
        window.add(CompletableFuture.completedFuture("ack"));

        UnconfirmedPublicationException e = assertThrows(UnconfirmedPublicationException.class, window::awaitAll);
        assertTrue(e.getMessage().contains("NOT_ENOUGH_REPLICAS"), e.getMessage());
    }

    @Test
    void aWindowHoldsAtLeastOneEvent() {
        assertThrows(IllegalArgumentException.class, () -> new PublicationWindow(0));
    }
}
