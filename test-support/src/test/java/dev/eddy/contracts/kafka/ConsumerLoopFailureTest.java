package dev.eddy.contracts.kafka;

import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.failure.TransientFailureException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The consumer loop against the embedded broker: transient failures are waited out in place (order kept, nothing
 * dead-lettered, group membership kept), permanent ones and undecodable records are dead-lettered as they were read
 * (value, key and headers) before the offset moves on, a rebalance during a retry hands the record to the new owner,
 * and a poll that cannot recover stops the loop visibly.
 */
class ConsumerLoopFailureTest {

    private final LoopFixture kafka = new LoopFixture();

    @Test
    void aHandlerFailingTransientlyForTenSecondsIsWaitedOutInOrderWithoutADeadLetter() throws Exception {
        String topic = kafka.topic(1);
        String group = LoopFixture.group();
        for (String runId : List.of("r0", "r1", "r2")) {
            RecordHeaders headers = new RecordHeaders();
            kafka.send(topic, 0, "sync-1".getBytes(StandardCharsets.UTF_8),
                    kafka.avro(topic, LoopFixture.event(runId), headers), headers);
        }
        List<String> handled = new CopyOnWriteArrayList<>();
        AtomicInteger attempts = new AtomicInteger();
        long[] firstAttempt = new long[1];
        Map<String, Object> settings = kafka.consumer(group);
        // a loop that stopped polling while it waits would be out of its group after 4 s (and its commit refused)
        settings.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 4_000);
        try (EventPublisher publisher = kafka.publisher();
             ConsumerLoop<RunEvent> loop = new ConsumerLoop<RunEvent>("transient-test", settings, List.of(topic),
                     record -> {
                         String runId = record.value().getRunId();
                         if (runId.equals("r0")) {
                             if (attempts.incrementAndGet() == 1) {
                                 firstAttempt[0] = System.nanoTime();
                             }
                             if (System.nanoTime() - firstAttempt[0] < Duration.ofSeconds(10).toNanos()) {
                                 throw new IllegalStateException("could not stage the batch",
                                         new SQLTransientConnectionException("Connection to 127.0.0.1:5432 refused", "08001"));
                             }
                         }
                         handled.add(runId);
                     }, publisher, LoopFixture.fastRetries()).start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> Long.valueOf(3).equals(kafka.committed(group, topic, 0)));
            // no record is handled twice once all are committed
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(15)).until(() -> handled.size() == 3);
            assertEquals(List.of("r0", "r1", "r2"), handled, "each record handled once, in order, r0 first");
            assertTrue(attempts.get() > 5, "r0 was tried again and again: " + attempts.get());
            assertTrue(loop.isAlive());
            assertTrue(loop.isHealthy(), "still in its group");
        }
        assertEquals(List.of(), kafka.deadLetters(topic), "nothing dead-lettered");
    }

    @Test
    void aPermanentFailureIsDeadLetteredWithTheRecordsBytesBeforeTheHookAndTheCommit() throws Exception {
        String topic = kafka.topic(1);
        String group = LoopFixture.group();
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "abc-123".getBytes(StandardCharsets.UTF_8));
        byte[] poison = kafka.avro(topic, LoopFixture.event("bad"), headers);
        byte[] key = "sync-1".getBytes(StandardCharsets.UTF_8);
        kafka.send(topic, 0, key, poison, headers);
        RecordHeaders fine = new RecordHeaders();
        kafka.send(topic, 0, key, kafka.avro(topic, LoopFixture.event("good"), fine), fine);

        List<String> handled = new CopyOnWriteArrayList<>();
        AtomicInteger failures = new AtomicInteger();
        AtomicReference<ConsumerRecord<String, RunEvent>> hooked = new AtomicReference<>();
        AtomicReference<Throwable> hookCause = new AtomicReference<>();
        List<String> atHookTime = new CopyOnWriteArrayList<>();
        try (EventPublisher publisher = kafka.publisher();
             ConsumerLoop<RunEvent> loop = new ConsumerLoop<RunEvent>("permanent-test", kafka.consumer(group), List.of(topic),
                     new ConsumerLoop.Handler<>() {
                         @Override
                         public void handle(ConsumerRecord<String, RunEvent> record) {
                             if (record.value().getRunId().equals("bad")) {
                                 failures.incrementAndGet();
                                 throw new IllegalArgumentException("unknown destination type 'ftp'");
                             }
                             handled.add(record.value().getRunId());
                         }

                         @Override
                         public void deadLettered(ConsumerRecord<String, RunEvent> record, Throwable cause) {
                             hooked.set(record);
                             hookCause.set(cause);
                             atHookTime.add("letters=" + kafka.deadLetters(topic).size());
                             atHookTime.add("committed=" + kafka.committed(group, topic, 0));
                             atHookTime.add("handled=" + handled);
                         }
                     }, publisher, LoopFixture.fastRetries()).start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> Long.valueOf(2).equals(kafka.committed(group, topic, 0)));
            assertTrue(loop.isAlive());
        }
        assertEquals(1, failures.get(), "a permanent failure is not retried");
        assertEquals(List.of("good"), handled);
        assertEquals(List.of("letters=1", "committed=null", "handled=[]"), atHookTime,
                "the hook runs once the letter is acknowledged, before the next record and before the commit");
        assertEquals("bad", hooked.get().value().getRunId());
        assertEquals("sync-1", hooked.get().key());
        assertInstanceOf(IllegalArgumentException.class, hookCause.get());

        List<ConsumerRecord<byte[], byte[]>> letters = kafka.deadLetters(topic);
        assertEquals(1, letters.size());
        ConsumerRecord<byte[], byte[]> letter = letters.get(0);
        assertArrayEquals(poison, letter.value(), "the value, byte for byte");
        assertArrayEquals(key, letter.key());
        assertOriginalHeadersKept(headers, letter.headers());
        assertEquals("0", DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.PARTITION));
        assertEquals("0", DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.OFFSET));
        assertEquals("permanent-test", DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.STAGE));
        assertEquals(DeadLetterHeaders.HANDLER, DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.FAILURE));
        assertEquals(IllegalArgumentException.class.getName(), DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.EXCEPTION));
        assertEquals("IllegalArgumentException: unknown destination type 'ftp'",
                DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.MESSAGE));
    }

    @Test
    void anUndecodableRecordIsDeadLetteredWithItsRawBytesAndTheNextOneIsHandled() throws Exception {
        String topic = kafka.topic(1);
        String group = LoopFixture.group();
        byte[] garbage = "this is not Avro \u0000\u0001".getBytes(StandardCharsets.UTF_8);
        Headers headers = LoopFixture.headers("trace-id", "t-9", "content-type", "text/plain");
        kafka.send(topic, 0, "sync-7".getBytes(StandardCharsets.UTF_8), garbage, headers);
        RecordHeaders fine = new RecordHeaders();
        kafka.send(topic, 0, "sync-7".getBytes(StandardCharsets.UTF_8), kafka.avro(topic, LoopFixture.event("next"), fine), fine);

        List<String> handled = new CopyOnWriteArrayList<>();
        List<ConsumerRecord<String, RunEvent>> hooked = new CopyOnWriteArrayList<>();
        try (EventPublisher publisher = kafka.publisher();
             ConsumerLoop<RunEvent> loop = new ConsumerLoop<RunEvent>("undecodable-test", kafka.consumer(group), List.of(topic),
                     new ConsumerLoop.Handler<>() {
                         @Override
                         public void handle(ConsumerRecord<String, RunEvent> record) {
                             handled.add(record.value().getRunId());
                         }

                         @Override
                         public void deadLettered(ConsumerRecord<String, RunEvent> record, Throwable cause) {
                             hooked.add(record);
                         }
                     }, publisher, LoopFixture.fastRetries()).start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> Long.valueOf(2).equals(kafka.committed(group, topic, 0)));
            assertTrue(loop.isAlive());
        }
        assertEquals(List.of("next"), handled);
        assertEquals(1, hooked.size());
        assertNull(hooked.get(0).value(), "an undecodable record reaches the hook without a value");
        assertEquals("sync-7", hooked.get(0).key());
        ConsumerRecord<byte[], byte[]> letter = kafka.deadLetters(topic).get(0);
        assertArrayEquals(garbage, letter.value());
        assertOriginalHeadersKept(headers, letter.headers());
        assertEquals(DeadLetterHeaders.UNDECODABLE, DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.FAILURE));
    }

    @Test
    void aRecordWaitingForARetryGoesToTheNewOwnerWhenItsPartitionIsRevoked() throws Exception {
        String topic = kafka.topic(2);
        String group = LoopFixture.group();
        for (int partition = 0; partition < 2; partition++) {
            RecordHeaders headers = new RecordHeaders();
            kafka.send(topic, partition, ("sync-" + partition).getBytes(StandardCharsets.UTF_8),
                    kafka.avro(topic, LoopFixture.event("p" + partition), headers), headers);
        }
        Map<Integer, AtomicInteger> triedByA = new ConcurrentHashMap<>(Map.of(0, new AtomicInteger(), 1, new AtomicInteger()));
        List<String> handledByB = new CopyOnWriteArrayList<>();
        try (EventPublisher publisher = kafka.publisher()) {
            ConsumerLoop<RunEvent> a = new ConsumerLoop<RunEvent>("rebalance-a", kafka.consumer(group), List.of(topic),
                    record -> {
                        triedByA.get(record.partition()).incrementAndGet();
                        throw new TransientFailureException("the database refuses connections");
                    }, publisher, LoopFixture.fastRetries()).start();
            ConsumerLoop<RunEvent> b = null;
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> triedByA.values().stream().anyMatch(n -> n.get() > 2));
                b = new ConsumerLoop<RunEvent>("rebalance-b", kafka.consumer(group), List.of(topic),
                        record -> handledByB.add(record.value().getRunId()), publisher, LoopFixture.fastRetries()).start();
                // the group gives one partition to each: the record of the one B got is B's now
                await().atMost(Duration.ofSeconds(60)).until(() -> handledByB.size() == 1);
                int taken = handledByB.get(0).equals("p0") ? 0 : 1;
                await().atMost(Duration.ofSeconds(30)).until(() -> Long.valueOf(1).equals(kafka.committed(group, topic, taken)));
                int before = triedByA.get(taken).get();
                await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(15)).until(() -> triedByA.get(taken).get() == before);
                assertEquals(before, triedByA.get(taken).get(), "A gave up the record of the partition it lost");
                assertTrue(a.isAlive(), "a rebalance is nothing to die of");
                assertTrue(triedByA.get(1 - taken).get() > 0);
            } finally {
                a.close();
            }
            // A left: B gets the other partition and its record, which was never skipped
            await().atMost(Duration.ofSeconds(60)).until(() -> handledByB.size() == 2);
            assertEquals(List.of("p0", "p1"), handledByB.stream().sorted().toList());
            await().atMost(Duration.ofSeconds(30)).until(() -> Long.valueOf(1).equals(kafka.committed(group, topic, 0))
                    && Long.valueOf(1).equals(kafka.committed(group, topic, 1)));
            b.close();
        }
        assertEquals(List.of(), kafka.deadLetters(topic));
    }

    @Test
    void aPollThatCannotRecoverStopsTheLoopAndItReportsNotAlive() throws Exception {
        String topic = kafka.topic(1);
        RecordHeaders headers = new RecordHeaders();
        kafka.send(topic, 0, null, kafka.avro(topic, LoopFixture.event("x"), headers), headers);
        Map<String, Object> settings = kafka.consumer(LoopFixture.group());
        // a new group without a reset policy: the poll throws NoOffsetForPartitionException, which no retry cures
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        try (ConsumerLoop<RunEvent> loop = new ConsumerLoop<RunEvent>("fatal-test", settings, List.of(topic),
                record -> { }, null).start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> !loop.isAlive());
            assertFalse(loop.isHealthy());
            assertTrue(loop.failure().orElseThrow().contains("NoOffsetForPartitionException"), loop.failure().orElseThrow());
        }
    }

    private static void assertOriginalHeadersKept(Headers original, Headers letter) {
        List<String> expected = new ArrayList<>();
        for (Header h : original) {
            expected.add(h.key() + "=" + Arrays.toString(h.value()));
        }
        List<String> kept = new ArrayList<>();
        for (Header h : letter) {
            if (!h.key().startsWith(DeadLetterHeaders.PREFIX)) {
                kept.add(h.key() + "=" + Arrays.toString(h.value()));
            }
        }
        assertEquals(expected, kept, "the original headers, in order, before the context headers");
    }
}
