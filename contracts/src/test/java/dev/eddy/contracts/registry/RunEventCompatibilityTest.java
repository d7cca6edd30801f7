package dev.eddy.contracts.registry;

import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.kafka.KafkaSettings;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** RunEvent gained {@code syncLogsError}: events written before still read, and readers of before can read the new ones. */
class RunEventCompatibilityTest {

    private static final Schema PREVIOUS = ContractSchemaResolver.historical("RunEvent-1.avsc");

    @Test
    void theNewSchemaReadsTheOldAndTheOldReadsTheNew() {
        assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE,
                SchemaCompatibility.checkReaderWriterCompatibility(RunEvent.getClassSchema(), PREVIOUS).getType());
        assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE,
                SchemaCompatibility.checkReaderWriterCompatibility(PREVIOUS, RunEvent.getClassSchema()).getType());
    }

    @Test
    void anEventAnOlderServicePublishedIsReadWithoutASyncLogsError() {
        GenericRecord old = new GenericData.Record(PREVIOUS);
        for (Schema.Field field : PREVIOUS.getFields()) {
            old.put(field.name(), field.hasDefaultValue() ? GenericData.get().getDefaultValue(field) : null);
        }
        old.put("runId", "42");
        old.put("syncId", "7");
        old.put("status", new GenericData.EnumSymbol(PREVIOUS.getField("status").schema(), "success"));
        old.put("terminal", true);
        old.put("producer", "diff-service");
        old.put("at", Instant.parse("2026-11-23T10:00:00Z").toEpochMilli());
        old.put("error", null);

        byte[] bytes;
        try (AvroKafkaSerializer<GenericRecord> serializer = new AvroKafkaSerializer<>()) {
            serializer.configure(KafkaSettings.producer("localhost:1", Optional.empty(), "test"), false);
            bytes = serializer.serialize("eddy.run-events.v1", old);
        }
        Object read;
        try (AvroKafkaDeserializer<Object> deserializer = new AvroKafkaDeserializer<>()) {
            deserializer.configure(KafkaSettings.consumer("localhost:1", Optional.empty(), "test"), false);
            read = deserializer.deserialize("eddy.run-events.v1", bytes);
        }

        RunEvent event = (RunEvent) read;
        assertEquals("42", event.getRunId());
        assertEquals(RunStatus.success, event.getStatus());
        assertEquals(Instant.parse("2026-11-23T10:00:00Z"), event.getAt());
        assertNull(event.getSyncLogsError(), "a field added later takes its default");
    }

    @Test
    void theCurrentAndThePreviousVersionHaveTheirOwnIds() {
        assertNotEquals(ContractSchemaResolver.idOf(PREVIOUS), ContractSchemaResolver.idOf(RunEvent.getClassSchema()),
                "a changed schema is a new id: the previous one must stay known for the records it wrote");
    }
}
