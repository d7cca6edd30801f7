package dev.eddy.contracts.source;

import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The MySQL connection settings the API and the extractor share. */
class MySqlConnectionTest {

    @Test
    void aRefusedConnectionSaysWhereAndWhyFirst() {
        SQLException e = new SQLNonTransientConnectionException("Communications link failure\n\nThe last packet sent successfully "
                + "to the server was 0 milliseconds ago.", "08S01", new ConnectException("Connection refused"));
        assertEquals("cannot reach the MySQL server at db.example:3306: Connection refused",
                MySqlConnection.connectFailure("db.example", "3306", e));

        SQLException noCause = new SQLNonTransientConnectionException("Communications link failure\n\nmore", "08S01");
        assertEquals("cannot reach the MySQL server at db.example:3306: Communications link failure",
                MySqlConnection.connectFailure("db.example", "3306", noCause));

        SQLException login = new SQLException("Access denied for user 'eddy'@'10.0.0.1' (using password: YES)", "28000");
        assertEquals(login.getMessage(), MySqlConnection.connectFailure("db.example", "3306", login), "the server's own answer as it is");
    }

    @Test
    void theUrlHoldsOnlyTheValidatedPartsAndIPv6HostsAreBracketed() throws Exception {
        SourceAddress address = SourceAddress.of(Map.of("host", "db.example", "port", "3306", "database", "sales_eu"), 3306);
        assertEquals("jdbc:mysql://db.example:3306/sales_eu", MySqlConnection.url(address, address.host()));
        assertEquals("jdbc:mysql://10.0.0.7:3306/sales_eu", MySqlConnection.url(address, "10.0.0.7"), "connects to the checked address");
        SourceAddress v6 = SourceAddress.of(Map.of("host", "[::1]", "port", 3307, "database", "w"), 3306);
        assertEquals("jdbc:mysql://[::1]:3307/w", MySqlConnection.url(v6, v6.host()));
    }

    @Test
    void aHostCarryingUrlOptionsIsRefusedSoNoOptionReachesTheDriver() {
        InvalidSourceAddressException e = assertThrows(InvalidSourceAddressException.class, () -> SourceAddress.of(
                Map.of("host", "evil:3306/x?allowLoadLocalInfile=true#", "database", "w"), 3306));
        assertEquals("host", e.field());
        assertThrows(InvalidSourceAddressException.class, () -> SourceAddress.of(
                Map.of("host", "db.example", "database", "w?allowLoadLocalInfile=true"), 3306));
    }

    @Test
    void theDriversDangerousOptionsArePinnedOff() {
        Properties props = MySqlConnection.properties("eddy", "pw", null, Duration.ofSeconds(5), "t");
        for (String option : List.of("allowLoadLocalInfile", "allowLocalInfile", "allowUrlInLocalInfile", "autoDeserialize",
                "allowMultiQueries", "allowPublicKeyRetrieval")) {
            assertEquals("false", props.getProperty(option), option);
        }
    }

    @Test
    void theSessionIsUtcAndTimeoutsAreMilliseconds() {
        Properties props = MySqlConnection.properties("eddy", null, "", Duration.ofSeconds(5), "eddy-test");
        assertEquals("5000", props.getProperty("connectTimeout"));
        assertEquals("time_zone='+00:00'", props.getProperty("sessionVariables"));
        assertEquals("+00:00", props.getProperty("connectionTimeZone"));
        assertFalse(props.containsKey("password"));
        assertFalse(props.containsKey("sslMode"), "Connector/J's default TLS mode unless one is set");
        assertEquals("REQUIRED", MySqlConnection.properties("eddy", "pw", "REQUIRED", Duration.ofSeconds(5), "t").getProperty("sslMode"));
    }
}
