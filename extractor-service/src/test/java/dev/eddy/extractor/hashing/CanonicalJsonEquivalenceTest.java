package dev.eddy.extractor.hashing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The streaming canonical JSON must equal, character for character, the tree-based form hashes were made
 * with before (kept here as the reference): otherwise every JSON row would look changed once after an upgrade.
 */
class CanonicalJsonEquivalenceTest {

    private static final ObjectMapper READER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    private static final JsonFactory FACTORY = new JsonFactory();

    /** The earlier implementation: a Jackson tree written back with keys sorted. */
    private static String reference(String text) {
        JsonNode node;
        try {
            node = READER.readTree(text);
        } catch (IOException e) {
            return text;
        }
        if (node == null) {
            return text;
        }
        StringWriter writer = new StringWriter();
        try (JsonGenerator generator = FACTORY.createGenerator(writer)) {
            write(node, generator);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return writer.toString();
    }

    private static void write(JsonNode node, JsonGenerator out) throws IOException {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
            names.sort(null);
            out.writeStartObject();
            for (String name : names) {
                out.writeFieldName(name);
                write(node.get(name), out);
            }
            out.writeEndObject();
        } else if (node.isArray()) {
            out.writeStartArray();
            for (JsonNode element : node) {
                write(element, out);
            }
            out.writeEndArray();
        } else if (node.isNumber()) {
            out.writeNumber(CanonicalValue.number(node.decimalValue()));
        } else if (node.isTextual()) {
            out.writeString(node.textValue());
        } else if (node.isBoolean()) {
            out.writeBoolean(node.booleanValue());
        } else {
            out.writeNull();
        }
    }

    @Test
    void handPickedDocumentsMatchTheTreeBasedForm() {
        String[] documents = {
                "{\"plan\": \"pro\", \"seats\": 12, \"tags\": [\"a\", 3]}",
                "{\"b\": 2.0, \"a\": 1, \"a\": 7}", "[1.50, 1e3, -0.0, 0, 12345678901234567890123, 1E-7]",
                "\"text\"", "42", "true", "null", "", "   ", "{\"a\":1", "[1,2", "{\"a\" 1}", "not json", "{} trailing",
                "{\"nested\": {\"z\": [{}, [], {\"y\": null, \"x\": false}]}}",
                "{\"esc\": \"quote \\\" backslash \\\\ slash \\/ tab \\t nl \\n cr \\r bs \\b ff \\f u0001 \\u0001 del \\u007f\"}",
                "{\"unicode\": \"é 漢字 \\ud83d\\ude00 \\u2028 \\u00a0\"}", "{\"\\u0000key\": \"\\u001f\"}",
        };
        for (String document : documents) {
            assertEquals(reference(document), CanonicalValue.json(document), document);
        }
    }

    @Test
    void randomDocumentsMatchTheTreeBasedForm() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            String document = randomValue(random, 0);
            assertEquals(reference(document), CanonicalValue.json(document), document);
        }
    }

    private static String randomValue(SplittableRandom random, int depth) {
        int kind = random.nextInt(depth > 3 ? 5 : 7);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> random.nextBoolean() ? "true" : "false";
            case 2 -> randomNumber(random);
            case 3, 4 -> "\"" + randomString(random) + "\"";
            case 5 -> {
                StringBuilder out = new StringBuilder("[");
                int n = random.nextInt(4);
                for (int j = 0; j < n; j++) {
                    out.append(j == 0 ? "" : ", ").append(randomValue(random, depth + 1));
                }
                yield out.append(']').toString();
            }
            default -> {
                StringBuilder out = new StringBuilder("{ ");
                int n = random.nextInt(5);
                for (int j = 0; j < n; j++) {
                    out.append(j == 0 ? "" : ", ").append('"').append(randomString(random)).append("\": ")
                            .append(randomValue(random, depth + 1));
                }
                yield out.append('}').toString();
            }
        };
    }

    private static String randomNumber(SplittableRandom random) {
        String digits = Long.toString(random.nextLong(-1_000_000_000_000L, 1_000_000_000_000L));
        return switch (random.nextInt(4)) {
            case 0 -> digits;
            case 1 -> digits + "." + "0".repeat(random.nextInt(3)) + random.nextInt(1000);
            case 2 -> digits + "e" + (random.nextInt(40) - 20);
            default -> digits + ".50E+" + random.nextInt(5);
        };
    }

    private static String randomString(SplittableRandom random) {
        StringBuilder out = new StringBuilder();
        int n = random.nextInt(8);
        for (int j = 0; j < n; j++) {
            int pick = random.nextInt(10);
            if (pick < 5) {
                out.append((char) ('a' + random.nextInt(26)));
            } else if (pick == 5) {
                out.append(String.format("\\u%04x", random.nextInt(0x20)));
            } else if (pick == 6) {
                out.append(random.nextBoolean() ? "\\\"" : "\\\\");
            } else if (pick == 7) {
                out.append((char) (0xa0 + random.nextInt(0x3000)));
            } else if (pick == 8) {
                out.append("\\n\\t\\/");
            } else {
                out.append("\\ud83d\\ude00");
            }
        }
        return out.toString();
    }
}
