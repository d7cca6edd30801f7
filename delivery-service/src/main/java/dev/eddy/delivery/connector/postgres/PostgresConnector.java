package dev.eddy.delivery.connector.postgres;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.delivery.spi.ConfigProblem;
import dev.eddy.delivery.spi.ConnectorContext;
import dev.eddy.delivery.spi.DeliveryRow;
import dev.eddy.delivery.spi.DeliverySettings;
import dev.eddy.delivery.spi.DestinationConfigurationException;
import dev.eddy.delivery.spi.DestinationConnector;
import dev.eddy.delivery.spi.RateLimit;
import dev.eddy.delivery.spi.RetriableDeliveryException;
import dev.eddy.delivery.spi.SyncMode;
import dev.eddy.delivery.spi.SyncType;
import dev.eddy.delivery.spi.WriteOutcome;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code postgres} destination: a table in a PostgreSQL database. Added and changed rows are written with
 * ONE statement per write ({@code jsonb_to_recordset} over the batch as a JSON array): {@code insert} inserts
 * rows whose record-matching value is not there yet, {@code update} updates matching rows (a row matching
 * nothing is rejected), {@code upsert}/{@code mirror} use {@code INSERT ... ON CONFLICT (matching column) DO
 * UPDATE} (the column needs a unique index). Removed rows are matched by their primary key against the
 * record-matching column, again in one statement: delete behaviour {@code delete} deletes them,
 * {@code clear_fields} sets the mapped columns to NULL, {@code do_nothing} leaves them.
 *
 * <p>Configuration: {@code jdbcUrl} or {@code host}/{@code port}/{@code database}; {@code user},
 * {@code password} (may be sealed), {@code schema} (default {@code public}), {@code table}; the
 * record-matching column is the sync's {@code externalIdMapping.to}, else {@code keyColumn}.
 * Connection failures are retried (and make the destination unreachable); data and constraint errors
 * (SQLSTATE classes 22, 23) reject the write's rows, which the runtime then splits to isolate the bad ones;
 * other SQL errors (an unknown column, no unique index) are fatal configuration errors.
 */
public final class PostgresConnector implements DestinationConnector {

    public static final String TYPE = "postgres";
    private static final String ORDINAL = "_eddy_row";
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private Connection connection;
    private String table;
    private Map<String, String> columnTypes = Map.of();
    private String keyColumn;
    private SyncMode mode;
    private DeliverySettings settings;

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Set<SyncMode> supportedModes() {
        return EnumSet.allOf(SyncMode.class);
    }

    @Override
    public Set<SyncType> supportedTypes() {
        // a table holds records; an event stream into a table is an insert sync
        return EnumSet.of(SyncType.OBJECT);
    }

    @Override
    public int maxBatchSize() {
        return 5000;
    }

    @Override
    public RateLimit defaultRateLimit() {
        return RateLimit.unlimited();
    }

    @Override
    public int defaultMaxAttempts() {
        return 3;
    }

    @Override
    public List<ConfigProblem> validate(Map<String, Object> configuration) {
        Map<String, Object> config = configuration == null ? Map.of() : configuration;
        List<ConfigProblem> problems = new ArrayList<>();
        if (!(config.get("jdbcUrl") instanceof String url && url.startsWith("jdbc:postgresql:"))) {
            if (config.get("jdbcUrl") != null) {
                problems.add(new ConfigProblem("jdbcUrl", "must start with jdbc:postgresql:"));
            } else {
                if (!(config.get("host") instanceof String host) || host.isBlank()) {
                    problems.add(new ConfigProblem("host", "is required (or jdbcUrl)"));
                }
                if (!(config.get("database") instanceof String db) || db.isBlank()) {
                    problems.add(new ConfigProblem("database", "is required (or jdbcUrl)"));
                }
                Object port = config.get("port");
                if (port != null && !(port instanceof Number) && !String.valueOf(port).matches("\\d+")) {
                    problems.add(new ConfigProblem("port", "must be a number"));
                }
            }
        }
        if (!(config.get("table") instanceof String t) || t.isBlank()) {
            problems.add(new ConfigProblem("table", "is required"));
        }
        if (config.get("user") != null && !(config.get("user") instanceof String)) {
            problems.add(new ConfigProblem("user", "must be a string"));
        }
        return problems;
    }

    @Override
    public void open(ConnectorContext context) throws DestinationConfigurationException {
        List<ConfigProblem> problems = validate(context.configuration());
        if (!problems.isEmpty()) {
            throw new DestinationConfigurationException(problems);
        }
        Map<String, Object> config = context.configuration();
        this.mode = context.mode();
        this.settings = context.settings();
        String url = config.get("jdbcUrl") instanceof String u ? u
                : "jdbc:postgresql://" + config.get("host") + ":" + (config.get("port") == null ? 5432 : config.get("port"))
                + "/" + config.get("database");
        Properties props = new Properties();
        if (config.get("user") instanceof String user) {
            props.setProperty("user", user);
        }
        if (config.get("password") instanceof String password) {
            try {
                props.setProperty("password", context.secrets().open(password));
            } catch (IllegalStateException e) {
                throw new DestinationConfigurationException(List.of(new ConfigProblem("password", "the sealed value cannot be opened")));
            }
        }
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "120");
        props.setProperty("ApplicationName", "eddy-delivery");
        String schema = config.get("schema") instanceof String s && !s.isBlank() ? s : "public";
        String tableName = (String) config.get("table");
        try {
            connection = DriverManager.getConnection(url, props);
            try (PreparedStatement columns = connection.prepareStatement(
                    "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                            + "WHERE a.attrelid = to_regclass(quote_ident(?) || '.' || quote_ident(?)) AND a.attnum > 0 "
                            + "AND NOT a.attisdropped ORDER BY a.attnum")) {
                columns.setString(1, schema);
                columns.setString(2, tableName);
                Map<String, String> types = new LinkedHashMap<>();
                try (ResultSet rs = columns.executeQuery()) {
                    while (rs.next()) {
                        types.put(rs.getString(1), rs.getString(2));
                    }
                }
                if (types.isEmpty()) {
                    throw new DestinationConfigurationException(List.of(
                            new ConfigProblem("table", "table " + schema + "." + tableName + " does not exist")));
                }
                columnTypes = types;
            }
        } catch (SQLException e) {
            close();
            // an unreachable database at open is a failed run, with the driver's reason
            throw new DestinationConfigurationException(List.of(new ConfigProblem("connection", "cannot connect: " + e.getMessage())));
        }
        table = ident(schema) + "." + ident(tableName);
        keyColumn = settings.externalId().map(DeliverySettings.ExternalId::to)
                .orElse(config.get("keyColumn") instanceof String k && !k.isBlank() ? k : null);
        if (keyColumn != null && !columnTypes.containsKey(keyColumn)) {
            close();
            throw new DestinationConfigurationException(List.of(new ConfigProblem("externalIdMapping.to",
                    "column " + keyColumn + " does not exist in " + schema + "." + tableName)));
        }
        if (keyColumn == null && (mode != SyncMode.INSERT || !settings.deleteBehavior().equals("do_nothing"))) {
            close();
            throw new DestinationConfigurationException(List.of(new ConfigProblem("externalIdMapping",
                    "mode " + mode.name().toLowerCase() + " needs a record-matching column (externalIdMapping or keyColumn)")));
        }
    }

    @Override
    public List<WriteOutcome> write(List<DeliveryRow> rows) throws RetriableDeliveryException {
        WriteOutcome[] outcomes = new WriteOutcome[rows.size()];
        List<Integer> writes = new ArrayList<>();
        List<Integer> removals = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            (rows.get(i).op() == DeliveryRow.Operation.REMOVED ? removals : writes).add(i);
        }
        if (!writes.isEmpty()) {
            writeRows(rows, writes, outcomes);
        }
        if (!removals.isEmpty()) {
            removeRows(rows, removals, outcomes);
        }
        return List.of(outcomes);
    }

    private void writeRows(List<DeliveryRow> rows, List<Integer> positions, WriteOutcome[] outcomes)
            throws RetriableDeliveryException {
        List<String> columns = new ArrayList<>();
        List<Map<String, Object>> records = new ArrayList<>();
        for (int p = 0; p < positions.size(); p++) {
            Map<String, Object> fields = rows.get(positions.get(p)).fields();
            for (String field : fields.keySet()) {
                if (!columns.contains(field)) {
                    if (!columnTypes.containsKey(field)) {
                        throw new IllegalStateException("column " + field + " does not exist in table " + table);
                    }
                    columns.add(field);
                }
            }
            Map<String, Object> record = new LinkedHashMap<>(fields);
            record.put(ORDINAL, p);
            records.add(record);
        }
        if (keyColumn != null && !columns.contains(keyColumn) && mode != SyncMode.INSERT) {
            throw new IllegalStateException("the rows carry no value for the record-matching column " + keyColumn
                    + "; map it (externalIdMapping)");
        }
        String cols = columns.stream().map(PostgresConnector::ident).collect(Collectors.joining(", "));
        String xcols = columns.stream().map(c -> "x." + ident(c)).collect(Collectors.joining(", "));
        String recordset = "jsonb_to_recordset(?::jsonb) AS x(" + columns.stream()
                .map(c -> ident(c) + " " + columnTypes.get(c)).collect(Collectors.joining(", "))
                + (columns.isEmpty() ? "" : ", ") + ORDINAL + " int)";
        String key = keyColumn == null ? null : ident(keyColumn);
        String sql = switch (mode) {
            case INSERT -> "INSERT INTO " + table + " (" + cols + ") SELECT " + xcols + " FROM " + recordset
                    + (key == null || !columns.contains(keyColumn) ? ""
                    : " WHERE NOT EXISTS (SELECT 1 FROM " + table + " t WHERE t." + key + " = x." + key + ")");
            case UPDATE -> "UPDATE " + table + " t SET " + columns.stream().filter(c -> !c.equals(keyColumn))
                    .map(c -> ident(c) + " = x." + ident(c)).collect(Collectors.joining(", "))
                    + " FROM " + recordset + " WHERE t." + key + " = x." + key + " RETURNING x." + ORDINAL;
            case UPSERT, MIRROR -> "INSERT INTO " + table + " (" + cols + ") SELECT " + xcols + " FROM " + recordset
                    + " ON CONFLICT (" + key + ") DO " + (columns.size() == 1 ? "NOTHING" : "UPDATE SET "
                    + columns.stream().filter(c -> !c.equals(keyColumn)).map(c -> ident(c) + " = EXCLUDED." + ident(c))
                    .collect(Collectors.joining(", ")));
        };
        if (mode == SyncMode.UPDATE && columns.size() == 1) {
            // nothing but the key is mapped: there is nothing to update; the rows are accepted as they are
            positions.forEach(i -> outcomes[i] = WriteOutcome.accepted());
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, json(records));
            if (mode == SyncMode.UPDATE) {
                Set<Integer> matched = new HashSet<>();
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        matched.add(rs.getInt(1));
                    }
                }
                for (int p = 0; p < positions.size(); p++) {
                    outcomes[positions.get(p)] = matched.contains(p) ? WriteOutcome.accepted()
                            : WriteOutcome.rejected("no record in " + table + " with " + keyColumn + " = "
                            + rows.get(positions.get(p)).fields().get(keyColumn));
                }
            } else {
                statement.executeUpdate();
                positions.forEach(i -> outcomes[i] = WriteOutcome.accepted());
            }
        } catch (SQLException e) {
            rejectOrThrow(e, positions, outcomes);
        }
    }

    private void removeRows(List<DeliveryRow> rows, List<Integer> positions, WriteOutcome[] outcomes)
            throws RetriableDeliveryException {
        if (!settings.deletes() && !settings.clearsFields()) {
            positions.forEach(i -> outcomes[i] = WriteOutcome.accepted());
            return;
        }
        List<String> cleared = settings.mappedFields().stream()
                .filter(c -> !c.equals(keyColumn) && columnTypes.containsKey(c)).toList();
        if (settings.clearsFields() && cleared.isEmpty()) {
            positions.forEach(i -> outcomes[i] = WriteOutcome.accepted());
            return;
        }
        String key = ident(keyColumn);
        String recordset = "jsonb_to_recordset(?::jsonb) AS x(k text)";
        String match = "t." + key + " = x.k::" + columnTypes.get(keyColumn);
        String sql = settings.deletes()
                ? "DELETE FROM " + table + " t USING " + recordset + " WHERE " + match
                : "UPDATE " + table + " t SET " + cleared.stream().map(c -> ident(c) + " = NULL")
                .collect(Collectors.joining(", ")) + " FROM " + recordset + " WHERE " + match;
        List<Map<String, Object>> keys = positions.stream()
                .map(i -> Map.<String, Object>of("k", rows.get(i).primaryKey())).toList();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, json(keys));
            statement.executeUpdate();
            positions.forEach(i -> outcomes[i] = WriteOutcome.accepted());
        } catch (SQLException e) {
            rejectOrThrow(e, positions, outcomes);
        }
    }

    /** Data and constraint errors reject the rows; passing ones are retried; the rest are configuration errors. */
    private void rejectOrThrow(SQLException e, List<Integer> positions, WriteOutcome[] outcomes)
            throws RetriableDeliveryException {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String reason = "PostgreSQL " + state + ": " + firstLine(e.getMessage());
        if (state.startsWith("08")) {
            throw RetriableDeliveryException.unreachable("cannot reach PostgreSQL: " + firstLine(e.getMessage()), e);
        }
        if (state.startsWith("40") || state.startsWith("53") || state.startsWith("55") || state.equals("57P01")
                || state.equals("57014")) {
            throw RetriableDeliveryException.unavailable(reason, null);
        }
        if (state.startsWith("22") || state.startsWith("23")) {
            positions.forEach(i -> outcomes[i] = WriteOutcome.rejected(reason));
            return;
        }
        throw new IllegalStateException(reason, e);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("rows cannot be written as JSON", e);
        }
    }

    static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing is best effort; the server drops the session anyway
            }
            connection = null;
        }
    }
}
