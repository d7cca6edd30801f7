package dev.eddy.contracts.kafka;

/**
 * Serialised sizes of Avro binary values, computed from the values themselves so a batch can be bounded in bytes
 * without serialising anything twice: a string is its length as a zig-zag varint followed by its UTF-8 bytes.
 */
public final class AvroSize {

    /**
     * What a record adds to its fields: the serde's header (magic byte and schema id), Kafka's record and batch
     * headers, the key's length and the varints and flags of the small fields. Generous on purpose: it stands for
     * every byte the per-field counts leave out.
     */
    public static final int RECORD_OVERHEAD = 512;

    private AvroSize() {
    }

    /** The UTF-8 length of {@code text}, without encoding it. */
    public static int utf8Length(CharSequence text) {
        int length = text.length();
        int bytes = length;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                    bytes += 2; // the pair's two chars count 2, its code point takes 4 bytes
                    i++;
                } else {
                    bytes += 2;
                }
            }
        }
        return bytes;
    }

    /** Bytes of a zig-zag varint ({@code int} and {@code long} fields, lengths, array block counts). */
    public static int varint(long value) {
        long zigzag = (value << 1) ^ (value >> 63);
        int bytes = 1;
        while ((zigzag & ~0x7FL) != 0) {
            zigzag >>>= 7;
            bytes++;
        }
        return bytes;
    }

    /** Bytes of a {@code string} field. */
    public static int string(String text) {
        int utf8 = utf8Length(text);
        return varint(utf8) + utf8;
    }

    /** Bytes of a {@code ["null", "string"]} field: the branch index, then the string if present. */
    public static int nullableString(String text) {
        return text == null ? 1 : 1 + string(text);
    }

    /** Bytes of a {@code bytes} field of {@code length} bytes. */
    public static int bytes(int length) {
        return varint(length) + length;
    }
}
