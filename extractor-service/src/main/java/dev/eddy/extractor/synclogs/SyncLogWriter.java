package dev.eddy.extractor.synclogs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.extractor.config.ExtractorConfig;
import dev.eddy.extractor.service.SourceDialects;
import dev.eddy.extractor.spi.SourceConfigurationException;
import dev.eddy.extractor.spi.SourceDialect;
import dev.eddy.extractor.spi.SourceUnreachableException;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Opens the model's source for writing (secrets opened here only, as for extraction), writes a finished run's
 * sync logs into it and closes the connection at once. For a DuckDB file the connection is one on the extractor's
 * shared instance of that file ({@code DuckDbDatabases}), so a write overlapping the next run's extraction shares the
 * file instead of conflicting with it, and writes to one file are serialised. PostgreSQL, DuckDB and MySQL sources are
 * supported: other types fail with a {@link SyncLogWriteException}, as does a DuckDB file that another process keeps
 * locked longer than the connect timeout.
 */
@ApplicationScoped
public class SyncLogWriter {

    private final SourceDialects dialects;
    private final ExtractorConfig.Extractor settings;
    private final SecretBox secrets;
    private final Clock clock;

    public SyncLogWriter(SourceDialects dialects, ExtractorConfig config) {
        this.dialects = dialects;
        this.settings = config.extractor();
        this.secrets = new SecretBox(config.secretKey());
        this.clock = Clock.systemUTC();
    }

    public void write(RunLog run) throws SyncLogWriteException {
        String type = run.spec().source() == null ? null : run.spec().source().type();
        AuditTables.Flavor flavor = AuditTables.Flavor.forSourceType(type).orElseThrow(() ->
                new SyncLogWriteException("warehouse sync logs are not supported for sources of type " + type, null));
        SourceDialect dialect = dialects.forType(type)
                .orElseThrow(() -> new SyncLogWriteException("no dialect for sources of type " + type, null));
        try (Connection connection = dialect.connectForWriting(open(run.spec().source().configuration()), settings.connectTimeout())) {
            AuditTables.write(connection, run, clock.instant(), flavor);
        } catch (SQLException e) {
            throw new SyncLogWriteException(e.getMessage(), e);
        } catch (SourceConfigurationException | SourceUnreachableException e) {
            throw new SyncLogWriteException("the warehouse could not be opened: " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new SyncLogWriteException("the warehouse's secrets could not be opened", e);
        }
    }

    private Map<String, String> open(ObjectNode sealed) {
        Map<String, String> configuration = new HashMap<>();
        if (sealed == null) {
            return configuration;
        }
        ObjectNode opened = secrets.openSecrets(sealed.deepCopy());
        for (Iterator<Map.Entry<String, JsonNode>> it = opened.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getValue().isValueNode() && !field.getValue().isNull()) {
                configuration.put(field.getKey(), field.getValue().asText());
            }
        }
        return configuration;
    }
}
