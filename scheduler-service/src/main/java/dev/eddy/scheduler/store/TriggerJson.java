package dev.eddy.scheduler.store;

import dev.eddy.contracts.avro.TriggerEvent;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** A queued {@link TriggerEvent} as Avro JSON, so the stored trigger is exactly the event that arrived. */
public final class TriggerJson {

    private TriggerJson() {
    }

    public static String write(TriggerEvent trigger) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            JsonEncoder encoder = EncoderFactory.get().jsonEncoder(TriggerEvent.getClassSchema(), out);
            new SpecificDatumWriter<>(TriggerEvent.class).write(trigger, encoder);
            encoder.flush();
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("a trigger cannot be written as JSON", e);
        }
    }

    public static TriggerEvent read(String json) {
        try {
            return new SpecificDatumReader<>(TriggerEvent.class)
                    .read(null, DecoderFactory.get().jsonDecoder(TriggerEvent.getClassSchema(), json));
        } catch (IOException e) {
            throw new IllegalStateException("a stored trigger cannot be read", e);
        }
    }
}
