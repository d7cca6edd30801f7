package dev.eddy.contracts.source;

import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
    void theDatabaseIsEncodedInTheUrlPathAndIPv6HostsAreBracketed() {
        assertEquals("jdbc:mysql://db.example:3306/sales%20eu", MySqlConnection.url("db.example", "3306", "sales eu"));
        assertEquals("jdbc:mysql://[::1]:3307/w", MySqlConnection.url("::1", "3307", "w"));
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
