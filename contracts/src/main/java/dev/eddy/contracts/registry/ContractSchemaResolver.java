package dev.eddy.contracts.registry;

import dev.eddy.contracts.avro.ChangeBatch;
import dev.eddy.contracts.avro.ConfigChange;
import dev.eddy.contracts.avro.DeliveryResult;
import dev.eddy.contracts.avro.RowBatch;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.avro.TriggerEvent;
import io.apicurio.registry.resolver.ParsedSchema;
import io.apicurio.registry.resolver.ParsedSchemaImpl;
import io.apicurio.registry.resolver.SchemaLookupResult;
import io.apicurio.registry.resolver.SchemaParser;
import io.apicurio.registry.resolver.SchemaResolver;
import io.apicurio.registry.resolver.client.RegistryClientFacade;
import io.apicurio.registry.resolver.data.Record;
import io.apicurio.registry.resolver.strategy.ArtifactReference;
import io.apicurio.registry.resolver.strategy.ArtifactReferenceResolverStrategy;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An Apicurio {@link SchemaResolver} that needs no registry server: it serves the schemas compiled into
 * this module under deterministic ids (a 31-bit fold of Avro's 64-bit parsing fingerprint), so every
 * JVM that holds the same contracts agrees on every id. Selected with
 * {@code apicurio.registry.schema-resolver}; with {@code apicurio.registry.url} set, the services use
 * Apicurio's default resolver against a real registry instead.
 */
public class ContractSchemaResolver<DATA> implements SchemaResolver<Schema, DATA> {

    private static final List<Schema> CONTRACTS = List.of(
            TriggerEvent.getClassSchema(), RunRequest.getClassSchema(), RowBatch.getClassSchema(),
            ChangeBatch.getClassSchema(), DeliveryResult.getClassSchema(), RunEvent.getClassSchema(),
            ConfigChange.getClassSchema());
    /**
     * Earlier versions of the contracts, read only: records they wrote may still wait in a topic when the services
     * are upgraded, and they resolve into the current classes by Avro's schema resolution (new fields take their
     * defaults). Each new version of a schema keeps its predecessor here.
     */
    static final List<String> HISTORY = List.of("RunEvent-1.avsc");
    private static final Map<Long, Schema> BY_ID = new ConcurrentHashMap<>();

    static {
        CONTRACTS.forEach(schema -> BY_ID.put(idOf(schema), schema));
        HISTORY.forEach(file -> BY_ID.putIfAbsent(idOf(historical(file)), historical(file)));
    }

    /** A contract's earlier version, from {@code dev/eddy/contracts/history/}. */
    static Schema historical(String file) {
        try (InputStream in = ContractSchemaResolver.class.getResourceAsStream("/dev/eddy/contracts/history/" + file)) {
            if (in == null) {
                throw new IllegalStateException("the contract history file " + file + " is missing");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("the contract history file " + file + " cannot be read", e);
        }
    }

    private SchemaParser<Schema, DATA> parser;

    /** The id every JVM gives this schema. */
    public static long idOf(Schema schema) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        return (fingerprint ^ (fingerprint >>> 32)) & 0x7fffffffL;
    }

    @Override
    public void configure(Map<String, ?> configs, SchemaParser<Schema, DATA> schemaParser) {
        this.parser = schemaParser;
    }

    @Override
    public void setClientFacade(RegistryClientFacade clientFacade) {
        // no registry: schemas come from the classpath
    }

    @Override
    public void setArtifactResolverStrategy(ArtifactReferenceResolverStrategy<Schema, DATA> strategy) {
        // artifacts are named by the schema's full name
    }

    @Override
    public SchemaParser<Schema, DATA> getSchemaParser() {
        return parser;
    }

    @Override
    public SchemaLookupResult<Schema> resolveSchema(Record<DATA> data) {
        ParsedSchema<Schema> parsed = parser.getSchemaFromData(data);
        Schema schema = parsed.getParsedSchema();
        long id = idOf(schema);
        Schema known = BY_ID.get(id);
        if (known == null) {
            throw new IllegalStateException("schema " + schema.getFullName() + " is not one of Eddy's contracts (id " + id + ")");
        }
        return result(id, known);
    }

    @Override
    public SchemaLookupResult<Schema> resolveSchemaByArtifactReference(ArtifactReference reference) {
        Long id = reference.getContentId() != null ? reference.getContentId() : reference.getGlobalId();
        Schema schema = id == null ? null : BY_ID.get(id);
        if (schema == null) {
            throw new IllegalStateException("no contract schema has id " + id
                    + ": the producer uses contracts this service does not know; set apicurio.registry.url to use a registry");
        }
        return result(id, schema);
    }

    private static SchemaLookupResult<Schema> result(long id, Schema schema) {
        ParsedSchemaImpl<Schema> parsed = new ParsedSchemaImpl<Schema>()
                .setParsedSchema(schema)
                .setRawSchema(schema.toString().getBytes(StandardCharsets.UTF_8));
        return SchemaLookupResult.<Schema>builder()
                .parsedSchema(parsed)
                .globalId(id)
                .contentId(id)
                .groupId("eddy")
                .artifactId(schema.getFullName())
                .build();
    }

    @Override
    public void reset() {
        // nothing cached beyond the compiled contracts
    }

    @Override
    public void close() {
        // nothing to release
    }
}
