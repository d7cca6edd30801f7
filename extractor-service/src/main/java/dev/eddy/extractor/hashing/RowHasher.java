package dev.eddy.extractor.hashing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The change-detection hash of a row: the first 16 bytes of SHA-256 over the primary key column and
 * the columns the sync sends (every column when it has no mappings), sorted by column name so the
 * SELECT's column order does not matter, each as its name and its {@link CanonicalValue}. One instance
 * per result (it holds the column layout and a reusable buffer); not thread-safe.
 */
public final class RowHasher {

    /** Bytes of a row hash. */
    public static final int HASH_BYTES = 16;

    private final int[] indexes;
    private final byte[][] names;
    private final MessageDigest digest;
    private final Buffer buffer = new Buffer();

    /**
     * @param columns       the result's column names, in result order
     * @param primaryKey    the key column, always hashed
     * @param mappedColumns the columns the sync sends; empty means every column
     * @throws IllegalArgumentException when a hashed column is not in {@code columns}
     */
    public RowHasher(List<String> columns, String primaryKey, List<String> mappedColumns) {
        Set<String> hashed = new LinkedHashSet<>();
        hashed.add(primaryKey);
        hashed.addAll(mappedColumns.isEmpty() ? columns : mappedColumns);
        List<String> sorted = new ArrayList<>(hashed);
        sorted.sort(Comparator.naturalOrder());
        this.indexes = new int[sorted.size()];
        this.names = new byte[sorted.size()][];
        for (int i = 0; i < sorted.size(); i++) {
            int index = columns.indexOf(sorted.get(i));
            if (index < 0) {
                throw new IllegalArgumentException("column " + sorted.get(i) + " is not in the result");
            }
            indexes[i] = index;
            names[i] = sorted.get(i).getBytes(StandardCharsets.UTF_8);
        }
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    /** The hash of one row, whose values are in result order. */
    public byte[] hash(Object[] values) {
        buffer.reset();
        for (int i = 0; i < indexes.length; i++) {
            buffer.putBytes(names[i]);
            CanonicalValue.encode(values[indexes[i]], buffer);
        }
        digest.update(buffer.bytes, 0, buffer.size);
        return Arrays.copyOf(digest.digest(), HASH_BYTES);
    }

    /** A growable byte buffer reused across rows. */
    private static final class Buffer implements CanonicalValue.ByteSink {
        private byte[] bytes = new byte[512];
        private int size;

        void reset() {
            size = 0;
        }

        private void ensure(int extra) {
            if (size + extra > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + extra));
            }
        }

        @Override
        public void put(byte b) {
            ensure(1);
            bytes[size++] = b;
        }

        @Override
        public void putBytes(byte[] data) {
            putInt(data.length);
            ensure(data.length);
            System.arraycopy(data, 0, bytes, size, data.length);
            size += data.length;
        }

        @Override
        public void putInt(int value) {
            ensure(4);
            bytes[size++] = (byte) (value >>> 24);
            bytes[size++] = (byte) (value >>> 16);
            bytes[size++] = (byte) (value >>> 8);
            bytes[size++] = (byte) value;
        }

        @Override
        public void putLong(long value) {
            putInt((int) (value >>> 32));
            putInt((int) value);
        }
    }
}
