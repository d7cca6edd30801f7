package dev.eddy.contracts;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Run ids are safe integers, time-ordered, and strictly increasing within a process under concurrency. */
class RunIdsTest {

    @Test
    void idsAreSafeIntegersCarryingTheTimeAndTheNode() {
        long before = System.currentTimeMillis();
        long id = Long.parseLong(RunIds.next());
        long after = System.currentTimeMillis();
        assertTrue(id > 0 && id <= RunIds.MAX_SAFE, id + " is a safe integer (≤ 2^53 − 1)");
        assertEquals(RunIds.NODE, id & ((1 << RunIds.NODE_BITS) - 1), "the low 12 bits are the node");
        long millis = (id >>> RunIds.NODE_BITS) + RunIds.EPOCH;
        // never before the clock; ahead of it only by the milliseconds other tests' bursts in this JVM borrowed (one an id)
        assertTrue(millis >= before && millis <= after + 120_000, "the id carries its millisecond: " + millis + " at " + after);
        long in2093 = (((1L << 41) - 1) << RunIds.NODE_BITS) | ((1 << RunIds.NODE_BITS) - 1);
        assertEquals(RunIds.MAX_SAFE, in2093, "41 bits of milliseconds and 12 of node fill 53 bits exactly");
    }

    @Test
    void idsAreStrictlyIncreasingPerThreadAndUniqueAcrossThreads() throws Exception {
        int threads = 8;
        int perThread = 5_000;
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<Long> all = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                long previous = -1;
                for (int i = 0; i < perThread; i++) {
                    long id = Long.parseLong(RunIds.next());
                    if (id <= previous) {
                        problems.add(id + " after " + previous);
                    }
                    if (id > RunIds.MAX_SAFE) {
                        problems.add(id + " exceeds 2^53 - 1");
                    }
                    previous = id;
                    all.add(id);
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        assertEquals(List.of(), List.copyOf(problems));
        Set<Long> distinct = new HashSet<>(all);
        assertEquals(threads * perThread, distinct.size(), "no id was handed out twice");
    }
}
