package dev.eddy.extractor.source;

import dev.eddy.extractor.hashing.CanonicalValue;
import dev.eddy.extractor.spi.JsonText;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * What the real-server tests ({@link MySqlSourceTest}, on MariaDB) cannot show: MySQL's own {@code JSON} type
 * (MariaDB's JSON is a LONGTEXT alias and is reported as text), and the bit strings.
 */
class MySqlDialectTest {

    private final MySqlDialect dialect = new MySqlDialect();

    @Test
    void aMySqlJsonColumnIsReadAsJsonAndHashesByContent() throws SQLException {
        // what Connector/J reports for a column of MySQL 8's JSON type
        ResultSetMetaData metadata = metadata(Map.of("getColumnTypeName", "JSON", "getColumnType", Types.LONGVARCHAR,
                "getPrecision", 1073741824));

        Object value = dialect.reader(metadata, 1).read(resultSet("{\"b\": [1, 2.50], \"a\": \"x\"}"));
        Object nothing = dialect.reader(metadata, 1).read(resultSet(null));

        assertEquals(new JsonText("{\"b\": [1, 2.50], \"a\": \"x\"}"), value);
        assertEquals(CanonicalValue.json("{\"a\":\"x\",\"b\":[1,2.5]}"), CanonicalValue.text(value),
                "key order, spacing and number scale do not change the hash (as for PostgreSQL's jsonb)");
        assertNull(nothing);
    }

    @Test
    void bitStringsHaveTheColumnsWidth() {
        assertEquals("00101", MySqlDialect.bits(new byte[]{0b101}, 5));
        assertEquals("1000000001", MySqlDialect.bits(new byte[]{0b10, 0b1}, 10));
        assertEquals("11111111", MySqlDialect.bits(new byte[]{(byte) 0xff}, 8));
        assertNull(MySqlDialect.bits(null, 3));
    }

    private static ResultSetMetaData metadata(Map<String, Object> answers) {
        return (ResultSetMetaData) Proxy.newProxyInstance(MySqlDialectTest.class.getClassLoader(), new Class<?>[]{ResultSetMetaData.class},
                (proxy, method, args) -> {
                    if (!answers.containsKey(method.getName())) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return answers.get(method.getName());
                });
    }

    private static ResultSet resultSet(String text) {
        return (ResultSet) Proxy.newProxyInstance(MySqlDialectTest.class.getClassLoader(), new Class<?>[]{ResultSet.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getString" -> text;
                    case "wasNull" -> text == null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
