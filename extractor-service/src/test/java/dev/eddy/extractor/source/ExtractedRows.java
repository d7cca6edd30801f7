package dev.eddy.extractor.source;

import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.extractor.service.ExtractionFailedException;
import dev.eddy.extractor.service.ModelExtractor;
import dev.eddy.extractor.spi.ColumnReader;
import dev.eddy.extractor.spi.SourceDialect;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a source test reads: a model's rows as the extractor hands them on, or a query's values as a dialect reads them. */
final class ExtractedRows {

    /** One extracted row: its key text, its hash and its JSON. */
    record Extracted(String pk, byte[] hash, String data) {
    }

    private ExtractedRows() {
    }

    static List<Extracted> extract(ModelExtractor extractor, SyncSpec spec) throws ExtractionFailedException {
        List<Extracted> rows = new ArrayList<>();
        extractor.extract(spec, (pk, hash, data) -> rows.add(new Extracted(pk, hash, data)));
        return rows;
    }

    /** Each row's hash (hex) by key, in the result's order. */
    static Map<String, String> hashes(List<Extracted> rows) {
        Map<String, String> byKey = new LinkedHashMap<>();
        rows.forEach(r -> byKey.put(r.pk(), HexFormat.of().formatHex(r.hash())));
        return byKey;
    }

    /** Every row of the query as the dialect's column readers give its values, by column label. */
    static List<Map<String, Object>> readWith(SourceDialect dialect, Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            List<ColumnReader> readers = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                readers.add(dialect.reader(md, i));
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.put(md.getColumnLabel(i), readers.get(i - 1).read(rs));
                }
                rows.add(row);
            }
            return rows;
        }
    }
}
