package dev.eddy.delivery.connector.postgres;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.destination.ConfigProblem;
import dev.eddy.contracts.destination.DeliveryOptions;
import dev.eddy.contracts.destination.DestinationDescriptor;
import dev.eddy.contracts.destination.PostgresDescriptor;
import dev.eddy.contracts.destination.SyncMode;
import dev.eddy.contracts.egress.EgressDeniedException;
import dev.eddy.contracts.egress.EgressPolicy;
import dev.eddy.contracts.source.InvalidSourceAddressException;
import dev.eddy.contracts.source.PostgresConnection;
import dev.eddy.contracts.source.PostgresJdbcUrl;
import dev.eddy.contracts.source.SourceAddress;
import dev.eddy.delivery.spi.ConnectorContext;
import dev.eddy.delivery.spi.DeliveryRow;
import dev.eddy.delivery.spi.DeliverySettings;
import dev.eddy.delivery.spi.DestinationConfigurationException;
import dev.eddy.delivery.spi.DestinationConnector;
import dev.eddy.delivery.spi.RetriableDeliveryException;
import dev.eddy.delivery.spi.WriteOutcome;

import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code postgres} destination: a table in a PostgreSQL database. Added and changed rows are written with
 * ONE statement per write ({@code jsonb_to_recordset} over the batch as a JSON array): {@code insert} inserts
 * rows whose record-matching value is not there yet, {@code update} updates matching rows (a row matching
 * nothing is rejected), {@code upsert}/{@code mirror} use {@code INSERT ... ON CONFLICT (matching column) DO
 * UPDATE} (the column needs a unique index).
 *
 * <p>Removed rows carry nothing but their model primary key; they are matched by it against the removal column
 * ({@link PostgresDescriptor#removalColumn}: {@code externalIdMapping.to} when {@code externalIdMapping.from} is the
 * primary key, else {@code keyColumn}), again in one statement: {@code delete} deletes them, {@code clear_fields}
 * clears them, {@code do_nothing} leaves them. <em>Clearing</em> — a removed row under {@code clear_fields}, or a
 * row the diff sends as {@code changed} with its mapped fields null for that reason ({@link DeliveryRow#clears()}) —
 * is an {@code UPDATE} setting the mapped columns (all but the record-matching ones) to NULL on the existing record,
 * whatever the sync's mode: an {@code insert} sync must not ignore it, an {@code upsert} sync must not create an
 * empty record for it. A clearing that matches no record is accepted (there is nothing left to clear).
 *
 * <p>Configuration: {@link PostgresDescriptor}. Connection failures are retried (and make the destination
 * unreachable); data and constraint errors (SQLSTATE classes 22, 23) reject the statement's rows as a
 * {@linkplain WriteOutcome#rejectedAsGroup group}, which the runtime then splits to isolate the bad ones; other SQL
 * errors (an unknown column, no unique index) are fatal configuration errors.
 */
public final class PostgresConnector implements DestinationConnector {

    public static final String TYPE = PostgresDescriptor.TYPE;
    private static final String ORDINAL = "_eddy_row";
    /** The primary keys of removed or cleared rows, as one JSON array parameter. */
    private static final String KEYS = "jsonb_to_recordset(?::jsonb) AS x(k text)";
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private Connection connection;
    private IdleConnections.Key connectionKey;
    /** Set when the database became unreachable: the connection is closed rather than kept for the next batch. */
    private boolean broken;
    private String table;
    private Map<String, String> columnTypes = Map.of();
    private String keyColumn;
    private String removalColumn;
    private SyncMode mode;
    private DeliverySettings settings;

    private final EgressPolicy egress;

    /** With the default egress policy. */
    public PostgresConnector() {
        this(EgressPolicy.defaults());
    }

    /** @param egress the policy the database's host is checked against when the connector opens */
    public PostgresConnector(EgressPolicy egress) {
        this.egress = egress;
    }

    @Override
    public DestinationDescriptor descriptor() {
        return PostgresDescriptor.INSTANCE;
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
        Properties props = new Properties();
        SourceAddress address;
        try {
            if (config.get("jdbcUrl") instanceof String jdbcUrl) {
                PostgresJdbcUrl parsed = PostgresJdbcUrl.parse(jdbcUrl);
                address = parsed.address();
                props.putAll(parsed.options());
            } else {
                address = SourceAddress.of(config, PostgresConnection.DEFAULT_PORT);
            }
        } catch (InvalidSourceAddressException e) {
            throw new DestinationConfigurationException(List.of(new ConfigProblem(e.field(), e.problem())));
        }
        String connectHost;
        try {
            connectHost = address.connectHost(egress, PostgresConnection.verifiesHostName(props.getProperty("sslmode")));
        } catch (EgressDeniedException e) {
            throw new DestinationConfigurationException(List.of(new ConfigProblem(
                    config.get("jdbcUrl") != null ? "jdbcUrl" : "host", "host " + address.host() + " " + e.getMessage())));
        } catch (UnknownHostException e) {
            throw new DestinationConfigurationException(List.of(new ConfigProblem("connection",
                    "cannot connect: unknown host " + address.host())));
        }
        // only the validated parts: pgjdbc would let options in the URL override the properties
        String url = PostgresConnection.url(address, connectHost);
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
            connectionKey = IdleConnections.Key.of(url, props);
            connection = IdleConnections.SHARED.take(connectionKey);
            if (connection == null) {
                connection = DriverManager.getConnection(url, props);
            }
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
            broken = true;
            close();
            // an unreachable database at open is a failed run, with the driver's reason
            throw new DestinationConfigurationException(List.of(new ConfigProblem("connection", "cannot connect: " + e.getMessage())));
        }
        table = ident(schema) + "." + ident(tableName);
        Optional<DeliveryOptions.ExternalIdMapping> externalId = settings.externalId()
                .map(e -> new DeliveryOptions.ExternalIdMapping(e.from(), e.to(), e.type()));
        List<ConfigProblem> syncProblems = descriptor().validateSync(config, new DeliveryOptions(settings.type(), mode,
                settings.deleteBehavior(), externalId, OptionalInt.empty(), Optional.empty(), OptionalInt.empty(),
                DeliveryOptions.Retry.none()), settings.primaryKeyColumn());
        if (!syncProblems.isEmpty()) {
            close();
            throw new DestinationConfigurationException(syncProblems);
        }
        keyColumn = PostgresDescriptor.matchingColumn(config, externalId).orElse(null);
        removalColumn = PostgresDescriptor.removalColumn(config, externalId, settings.primaryKeyColumn()).orElse(null);
        for (String column : new String[] {keyColumn, removalColumn}) {
            if (column != null && !columnTypes.containsKey(column)) {
                close();
                throw new DestinationConfigurationException(List.of(new ConfigProblem(
                        column.equals(config.get("keyColumn")) ? "keyColumn" : "externalIdMapping.to",
                        "column " + column + " does not exist in " + schema + "." + tableName)));
            }
        }
    }

    @Override
    public List<WriteOutcome> write(List<DeliveryRow> rows) throws RetriableDeliveryException {
        WriteOutcome[] outcomes = new WriteOutcome[rows.size()];
        List<Integer> writes = new ArrayList<>();
        List<Integer> clears = new ArrayList<>();
        List<Integer> deletes = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            DeliveryRow row = rows.get(i);
            if (row.clears() || row.op() == DeliveryRow.Operation.REMOVED && settings.clearsFields()) {
                clears.add(i);
            } else if (row.op() == DeliveryRow.Operation.REMOVED && settings.deletes()) {
                deletes.add(i);
            } else if (row.op() == DeliveryRow.Operation.REMOVED) {
                outcomes[i] = WriteOutcome.accepted();
            } else {
                writes.add(i);
            }
        }
        if (!writes.isEmpty()) {
            writeRows(rows, writes, outcomes);
        }
        if (!clears.isEmpty()) {
            clearRows(rows, clears, outcomes);
        }
        if (!deletes.isEmpty()) {
            deleteRows(rows, deletes, outcomes);
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

    /** Sets the mapped columns (all but the record-matching ones) to NULL on the records the rows' keys match. */
    private void clearRows(List<DeliveryRow> rows, List<Integer> positions, WriteOutcome[] outcomes)
            throws RetriableDeliveryException {
        Set<String> cleared = new LinkedHashSet<>(settings.mappedFields());
        positions.forEach(i -> cleared.addAll(rows.get(i).fields().keySet()));
        cleared.remove(keyColumn);
        cleared.remove(removalColumn);
        for (String column : cleared) {
            if (!columnTypes.containsKey(column)) {
                throw new IllegalStateException("column " + column + " does not exist in table " + table);
            }
        }
        if (cleared.isEmpty()) {
            // nothing but the key is mapped: there is nothing to clear
            positions.forEach(i -> outcomes[i] = WriteOutcome.accepted());
            return;
        }
        byKey(rows, positions, outcomes, "UPDATE " + table + " t SET " + cleared.stream().map(c -> ident(c) + " = NULL")
                .collect(Collectors.joining(", ")) + " FROM " + KEYS + " WHERE " + keyMatch());
    }

    private void deleteRows(List<DeliveryRow> rows, List<Integer> positions, WriteOutcome[] outcomes)
            throws RetriableDeliveryException {
        byKey(rows, positions, outcomes, "DELETE FROM " + table + " t USING " + KEYS + " WHERE " + keyMatch());
    }

    private String keyMatch() {
        return "t." + ident(removalColumn) + " = x.k::" + columnTypes.get(removalColumn);
    }

    /** Runs one statement over the rows' primary keys; a key matching no record is fine (nothing to remove). */
    private void byKey(List<DeliveryRow> rows, List<Integer> positions, WriteOutcome[] outcomes, String sql)
            throws RetriableDeliveryException {
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
            broken = true;
            throw RetriableDeliveryException.unreachable("cannot reach PostgreSQL: " + firstLine(e.getMessage()), e);
        }
        if (state.startsWith("40") || state.startsWith("53") || state.startsWith("55") || state.equals("57P01")
                || state.equals("57014")) {
            throw RetriableDeliveryException.unavailable(reason, null);
        }
        if (state.startsWith("22") || state.startsWith("23")) {
            // one statement carried every row: which of them broke it is unknown, so the runtime isolates them
            positions.forEach(i -> outcomes[i] = WriteOutcome.rejectedAsGroup(reason));
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
            if (broken) {
                IdleConnections.closeQuietly(connection);
            } else {
                // kept for the sync's next batch (IdleConnections checks it before it is used again)
                IdleConnections.SHARED.give(connectionKey, connection);
            }
            connection = null;
        }
    }
}
