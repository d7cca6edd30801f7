package dev.eddy.extractor.service;

import dev.eddy.extractor.hashing.RowJson;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The encoding half of one extraction: on its own thread, writes chunks of read and hashed rows as JSON
 * into the sink (which serializes and publishes them), in the order they were read, while the caller's
 * thread reads and hashes the next rows. At most {@link #IN_FLIGHT} chunks wait, so memory stays bounded.
 * A failure of the sink is rethrown to the reading thread on its next {@link #submit} or {@link #finish}.
 * One per extraction; the JSON writer and the sink are only used on the encoding thread.
 */
final class RowEncoder implements AutoCloseable {

    private static final int IN_FLIGHT = 2;

    private final RowJson json;
    private final RowSink sink;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, Thread.currentThread().getName() + "-encoder");
        t.setDaemon(true);
        return t;
    });
    private final Deque<Future<?>> pending = new ArrayDeque<>();

    RowEncoder(RowJson json, RowSink sink) {
        this.json = json;
        this.sink = sink;
    }

    /** Rows read and hashed, waiting to be encoded. */
    static final class Chunk {
        private final String[] pks;
        private final byte[][] hashes;
        private final Object[][] values;
        private int size;

        Chunk(int capacity) {
            pks = new String[capacity];
            hashes = new byte[capacity][];
            values = new Object[capacity][];
        }

        /** Adds a row; true when the chunk is full. */
        boolean add(String pk, byte[] hash, Object[] row) {
            pks[size] = pk;
            hashes[size] = hash;
            values[size] = row;
            size++;
            return size == pks.length;
        }
    }

    /** Queues the chunk; waits while too many chunks are queued. */
    void submit(Chunk chunk) {
        if (chunk.size == 0) {
            return;
        }
        while (pending.size() >= IN_FLIGHT) {
            await(pending.removeFirst());
        }
        pending.addLast(thread.submit(() -> {
            for (int i = 0; i < chunk.size; i++) {
                sink.row(chunk.pks[i], chunk.hashes[i], json.write(chunk.values[i]));
            }
        }));
    }

    /** Waits until every queued row reached the sink. */
    void finish() {
        while (!pending.isEmpty()) {
            await(pending.removeFirst());
        }
    }

    /** Stops the encoding thread once the work already started is over: it never writes to the sink after this. */
    @Override
    public void close() {
        for (Future<?> future : pending) {
            future.cancel(false);
        }
        thread.shutdown();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (thread.awaitTermination(1, TimeUnit.MINUTES)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void await(Future<?> future) {
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while encoding rows", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }
}
