package dev.eddy.extractor.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eddy.contracts.secrets.SecretBox;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.extractor.config.ExtractorConfig;
import dev.eddy.extractor.hashing.CanonicalValue;
import dev.eddy.extractor.hashing.RowHasher;
import dev.eddy.extractor.hashing.RowJson;
import dev.eddy.extractor.spi.ColumnReader;
import dev.eddy.extractor.spi.SourceConfigurationException;
import dev.eddy.extractor.spi.SourceDialect;
import dev.eddy.extractor.spi.SourceUnreachableException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Runs a sync's model on its source and streams every row, canonically hashed, into a {@link RowSink}:
 * the only place source secrets are opened. Memory stays bounded by the JDBC fetch size: the result is
 * read through a cursor and each row is handed on as soon as it is read. Reading and hashing, and encoding
 * (JSON, the sink's serialization), run on two threads, see {@link RowEncoder}.
 */
@ApplicationScoped
public class ModelExtractor {

    private static final Logger LOG = Logger.getLogger(ModelExtractor.class);
    /** Rows the reading thread hands to the encoding thread at a time. */
    private static final int CHUNK_ROWS = 500;

    private final SourceDialects dialects;
    private final ExtractorConfig.Extractor settings;
    private final SecretBox secrets;

    public ModelExtractor(SourceDialects dialects, ExtractorConfig config) {
        this.dialects = dialects;
        this.settings = config.extractor();
        this.secrets = new SecretBox(config.secretKey());
    }

    /**
     * Extracts the model of {@code spec} into {@code sink}.
     *
     * @throws ExtractionFailedException for a failure of the spec, the source or the query; failures of
     *                                   the sink propagate unchanged
     */
    public ExtractionSummary extract(SyncSpec spec, RowSink sink) throws ExtractionFailedException {
        SyncSpec.Model model = spec.model();
        if (model == null || blank(model.sql()) || blank(model.primaryKey())) {
            throw new ExtractionFailedException(ErrorCode.INVALID_SPEC, "the sync's model has no SQL or no primary key");
        }
        if (spec.source() == null) {
            throw new ExtractionFailedException(ErrorCode.INVALID_SPEC, "the sync's model has no source");
        }
        SourceDialect dialect = dialects.forType(spec.source().type()).orElseThrow(() -> new ExtractionFailedException(
                ErrorCode.SOURCE_TYPE_UNSUPPORTED, "sources of type " + spec.source().type() + " are not supported"));
        String sqlProblem = dialect.sqlProblem(model.sql()).orElse(null);
        if (sqlProblem != null) {
            throw new ExtractionFailedException(ErrorCode.QUERY_FAILED, sqlProblem);
        }
        Map<String, String> configuration = openConfiguration(spec.source().configuration());

        Connection connection;
        try {
            connection = dialect.connect(configuration, settings.connectTimeout());
        } catch (SourceConfigurationException e) {
            throw new ExtractionFailedException(ErrorCode.SOURCE_CONFIGURATION_INVALID, e.getMessage(), e);
        } catch (SourceUnreachableException e) {
            throw new ExtractionFailedException(ErrorCode.SOURCE_UNREACHABLE, e.getMessage(), e);
        }
        LOG.infof("querying model %s on %s source %s", model.slug(), dialect.type(), spec.source().slug());
        try (connection) {
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            try (Statement statement = connection.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                statement.setFetchSize(settings.fetchSize());
                String sql = dialect.prepareSql(model.sql());
                dialect.checkQuery(connection, sql);
                try (ResultSet result = statement.executeQuery(sql)) {
                    return stream(result, dialect, spec, sink);
                }
            } finally {
                rollbackQuietly(connection);
            }
        } catch (SQLException e) {
            throw classify(e);
        }
    }

    private ExtractionSummary stream(ResultSet result, SourceDialect dialect, SyncSpec spec, RowSink sink)
            throws SQLException, ExtractionFailedException {
        ResultSetMetaData metadata = result.getMetaData();
        int count = metadata.getColumnCount();
        List<String> columns = new ArrayList<>(count);
        ColumnReader[] readers = new ColumnReader[count];
        for (int i = 1; i <= count; i++) {
            columns.add(metadata.getColumnLabel(i));
            readers[i - 1] = dialect.reader(metadata, i);
        }
        String primaryKey = spec.model().primaryKey();
        List<String> mapped = spec.mappedColumns();
        checkColumns(columns, primaryKey, mapped);
        int keyIndex = columns.indexOf(primaryKey);
        RowHasher hasher = new RowHasher(columns, primaryKey, mapped);
        RowJson json = new RowJson(columns);

        RowEncoder encoder = new RowEncoder(json, sink);
        RowEncoder.Chunk chunk = new RowEncoder.Chunk(CHUNK_ROWS);
        long rows = 0;
        try {
            while (result.next()) {
                rows++;
                Object[] values = new Object[count];
                for (int i = 0; i < count; i++) {
                    values[i] = readers[i].read(result);
                }
                if (values[keyIndex] == null) {
                    throw new ExtractionFailedException(ErrorCode.NULL_PRIMARY_KEY,
                            "the primary key column \"" + primaryKey + "\" is NULL in row " + rows + " of the result");
                }
                if (chunk.add(CanonicalValue.text(values[keyIndex]), hasher.hash(values), values)) {
                    encoder.submit(chunk);
                    chunk = new RowEncoder.Chunk(CHUNK_ROWS);
                }
            }
            encoder.submit(chunk);
            encoder.finish();
        } catch (ExtractionFailedException | SQLException e) {
            // the rows read before the failure reach the sink, as they would have row by row
            encoder.submit(chunk);
            encoder.finish();
            throw e;
        } finally {
            encoder.close();
        }
        return new ExtractionSummary(rows, List.copyOf(columns));
    }

    /** The primary key and every mapped column must be in the result; all missing ones are named at once. */
    static void checkColumns(List<String> columns, String primaryKey, List<String> mapped) throws ExtractionFailedException {
        List<String> missing = new ArrayList<>();
        if (!columns.contains(primaryKey)) {
            missing.add("\"" + primaryKey + "\" (primary key)");
        }
        for (String column : mapped) {
            if (!columns.contains(column) && !column.equals(primaryKey)) {
                missing.add("\"" + column + "\" (mapped)");
            }
        }
        if (!missing.isEmpty()) {
            throw new ExtractionFailedException(ErrorCode.QUERY_COLUMN_MISSING, "the query's result has no "
                    + (missing.size() == 1 ? "column " : "columns ") + String.join(", ", missing)
                    + "; it returns the columns: " + String.join(", ", columns));
        }
    }

    private Map<String, String> openConfiguration(ObjectNode sealed) throws ExtractionFailedException {
        if (sealed == null) {
            return Map.of();
        }
        ObjectNode opened;
        try {
            opened = secrets.openSecrets(sealed.deepCopy());
        } catch (IllegalStateException e) {
            throw new ExtractionFailedException(ErrorCode.SOURCE_CONFIGURATION_INVALID, e.getMessage());
        }
        Map<String, String> configuration = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = opened.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getValue().isValueNode() && !field.getValue().isNull()) {
                configuration.put(field.getKey(), field.getValue().asText());
            }
        }
        return configuration;
    }

    /** Connection-class SQL states (08xxx) mean the source went away; every other error is the query's. */
    private static ExtractionFailedException classify(SQLException e) {
        String state = e.getSQLState();
        ErrorCode code = state != null && state.startsWith("08") ? ErrorCode.SOURCE_UNREACHABLE : ErrorCode.QUERY_FAILED;
        return new ExtractionFailedException(code, e.getMessage(), e);
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.debugf("rollback after the extraction failed: %s", e.getMessage());
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
