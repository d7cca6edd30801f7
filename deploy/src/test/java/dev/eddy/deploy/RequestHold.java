package dev.eddy.deploy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Holds the destination's answer to one request of a run (the {@code n}th it receives) until the test releases it,
 * so a test can act (kill a service, cut the database) while a run is in the middle of its delivery.
 */
final class RequestHold {

    private final AtomicInteger seen = new AtomicInteger();
    private volatile int holdAt = Integer.MAX_VALUE;
    private volatile CountDownLatch held = new CountDownLatch(1);
    private volatile CountDownLatch release = new CountDownLatch(1);

    /** Arms the hold for the {@code n}th request from now on. */
    void holdRequest(int n) {
        seen.set(0);
        held = new CountDownLatch(1);
        release = new CountDownLatch(1);
        holdAt = n;
    }

    /** Called by the sink's responder for every request: blocks the held one (two minutes at most). */
    void onRequest() {
        if (seen.incrementAndGet() == holdAt) {
            held.countDown();
            try {
                release.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits until the held request has arrived. */
    boolean awaitHeld(long seconds) throws InterruptedException {
        return held.await(seconds, TimeUnit.SECONDS);
    }

    /** Lets the held request be answered and holds no further one. */
    void release() {
        holdAt = Integer.MAX_VALUE;
        release.countDown();
    }
}
