package dev.eddy.contracts.source;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hosts, ports, databases and users of networked sources, and the URLs built from them. */
class SourceAddressTest {

    @Test
    void hostsAreNamesOrAddressesAndNothingElse() {
        for (String host : List.of("db.example.com", "localhost", "10.0.0.7", "warehouse-1", "my_host.internal", "::1", "[fe80::1]",
                "2001:db8::42")) {
            assertTrue(SourceAddress.hostProblem(host).isEmpty(), host);
        }
        for (String host : List.of("evil:3306/x?allowLoadLocalInfile=true#", "a/b", "a?b", "a#b", "u@host", "host:5432", "a;b", "a b",
                "a\u0000b", "[::1]:5432", "-bad", "x..y", "")) {
            assertTrue(SourceAddress.hostProblem(host).isPresent(), host);
        }
    }

    @Test
    void portsDatabasesAndUsersAreChecked() {
        assertTrue(SourceAddress.portProblem(0).isPresent());
        assertTrue(SourceAddress.portProblem(65536).isPresent());
        assertTrue(SourceAddress.portProblem("5432/x").isPresent());
        assertTrue(SourceAddress.portProblem("5432").isEmpty());
        for (String database : List.of("x?sslfactory=a", "a&b", "a;b", "a/b", "a#b", "a\u0000b", "a b", "a%2F")) {
            assertTrue(SourceAddress.databaseProblem(database).isPresent(), database);
        }
        assertTrue(SourceAddress.databaseProblem("analytics_eu-2").isEmpty());
        assertTrue(SourceAddress.userProblem("svc@server").isEmpty());
        for (String user : List.of("a?b", "a&b", "a;b", "a/b", "a#b", "a\u0000b")) {
            assertTrue(SourceAddress.userProblem(user).isPresent(), user);
        }
        assertEquals(List.of("host", "port", "database", "user"), List.copyOf(SourceAddress.problems(
                Map.of("host", "a/b", "port", 0, "database", "a?b", "user", "a;b")).keySet()));
    }

    @Test
    void thePostgresUrlHoldsOnlyTheGivenPartsAndEveryReadingSessionIsReadOnly() throws Exception {
        SourceAddress address = SourceAddress.of(Map.of("host", "db.example", "database", "warehouse"), PostgresConnection.DEFAULT_PORT);
        assertEquals("jdbc:postgresql://db.example:5432/warehouse", PostgresConnection.url(address, address.host()));
        Properties reading = PostgresConnection.properties("eddy", null, null, Duration.ofSeconds(3), "t", true);
        assertEquals("-c default_transaction_read_only=on", reading.getProperty("options"));
        assertFalse(PostgresConnection.properties("eddy", null, null, Duration.ofSeconds(3), "t", false).containsKey("options"));
        for (String option : List.of("socketFactory", "sslfactory", "sslhostnameverifier", "loggerFile", "sslpasswordcallback")) {
            assertFalse(reading.containsKey(option), option);
        }
    }

    @Test
    void aPostgresJdbcUrlIsTakenApartAndItsDangerousOptionsAndPasswordsRefused() throws Exception {
        PostgresJdbcUrl url = PostgresJdbcUrl.parse("jdbc:postgresql://db.example:6543/crm?sslmode=require&ApplicationName=x");
        assertEquals(new SourceAddress("db.example", 6543, "crm"), url.address());
        assertEquals(Map.of("sslmode", "require", "ApplicationName", "x"), url.options());
        for (String bad : List.of("jdbc:postgresql://h/db?socketFactory=org.springframework.context.support.ClassPathXmlApplicationContext",
                "jdbc:postgresql://h/db?sslfactory=x", "jdbc:postgresql://h/db?loggerFile=/tmp/x", "jdbc:postgresql://h/db?sslhostnameverifier=x",
                "jdbc:postgresql://h/db?sslpasswordcallback=x", "jdbc:postgresql://h/db?password=hunter2", "jdbc:postgresql://a,b/db",
                "jdbc:postgresql://h/", "jdbc:postgresql://h/db/x")) {
            InvalidSourceAddressException e = assertThrows(InvalidSourceAddressException.class, () -> PostgresJdbcUrl.parse(bad), bad);
            assertEquals("jdbcUrl", e.field());
        }
    }
}
