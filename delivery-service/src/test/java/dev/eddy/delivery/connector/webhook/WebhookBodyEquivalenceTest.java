package dev.eddy.delivery.connector.webhook;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The webhook body writer writes a row's fields byte for byte as data binding did (on 5,000 random rows). */
class WebhookBodyEquivalenceTest {

    private static final ObjectMapper BINDING = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    @Test
    void rowsAreWrittenAsDataBindingWroteThem() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 5000; i++) {
            Map<String, Object> row = row(random, 0);
            StringWriter out = new StringWriter();
            try (JsonGenerator json = BINDING.createGenerator(out)) {
                WebhookConnector.writeValue(json, row);
            }
            assertEquals(BINDING.writeValueAsString(row), out.toString());
        }
    }

    private static Map<String, Object> row(Random random, int depth) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int f = random.nextInt(depth == 0 ? 10 : 3); f > 0; f--) {
            row.put("field" + random.nextInt(30), value(random, depth));
        }
        return row;
    }

    private static Object value(Random random, int depth) {
        return switch (random.nextInt(depth > 1 ? 9 : 11)) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> random.nextInt();
            case 3 -> random.nextLong();
            case 4 -> new BigInteger(90, random);
            case 5 -> new BigDecimal(new BigInteger(random.nextInt(70) + 1, random), random.nextInt(14) - 4);
            case 6 -> random.nextDouble();
            case 7 -> "t" + random.nextInt() + (random.nextBoolean() ? "\"\\\u0001</script>é𝄞" : "");
            case 8 -> "";
            case 9 -> row(random, depth + 1);
            default -> {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    list.add(value(random, depth + 1));
                }
                yield list;
            }
        };
    }
}
