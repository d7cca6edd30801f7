package dev.eddy.embedded;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./eddy local}'s PostgreSQL: every login needs its password (also across a restart), and the demo warehouse's
 * own role can read its tables but cannot run programs, read the server's files or reach Eddy's database.
 */
class SecuredPostgresTest {

    private static final String SUPERUSER_PASSWORD = "superuserPassword0123";
    private static final String DEMO_PASSWORD = "demoPassword0123456";

    @Test
    void theDemoRoleReadsItsWarehouseAndNothingMore(@TempDir Path dir) throws Exception {
        for (int start = 0; start < 2; start++) {
            try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.startSecured(dir.resolve("pg"), 0, false, SUPERUSER_PASSWORD)) {
                pg.createDatabase("eddy");
                DemoWarehouse.seed(pg);
                DemoWarehouse.grantTo(pg, DEMO_PASSWORD, "eddy");
                String warehouse = pg.jdbcUrl(DemoWarehouse.DATABASE);

                try (Connection c = DriverManager.getConnection(warehouse, DemoWarehouse.USER, DEMO_PASSWORD);
                     Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM customers")) {
                    rs.next();
                    assertEquals(10, rs.getInt(1));
                    Path touched = dir.resolve("program-ran-" + start);
                    SQLException copy = assertThrows(SQLException.class,
                            () -> s.execute("COPY (SELECT 1) TO PROGRAM 'touch " + touched + "'"));
                    assertTrue(copy.getMessage().contains("permission denied"), copy.getMessage());
                    assertFalse(Files.exists(touched), "the program did not run");
                    SQLException read = assertThrows(SQLException.class, () -> s.execute("SELECT pg_read_file('/etc/passwd')"));
                    assertTrue(read.getMessage().contains("permission denied"), read.getMessage());
                }
                SQLException eddy = assertThrows(SQLException.class,
                        () -> DriverManager.getConnection(pg.jdbcUrl("eddy"), DemoWarehouse.USER, DEMO_PASSWORD).close());
                assertTrue(eddy.getMessage().contains("permission denied for database"), eddy.getMessage());
                SQLException wrong = assertThrows(SQLException.class,
                        () -> DriverManager.getConnection(warehouse, DemoWarehouse.USER, "not-the-password").close());
                assertTrue(wrong.getMessage().contains("password authentication failed"), wrong.getMessage());
                SQLException noPassword = assertThrows(SQLException.class,
                        () -> DriverManager.getConnection(pg.jdbcUrl("eddy"), "postgres", "").close());
                assertTrue(noPassword.getMessage().contains("password"), noPassword.getMessage());
                try (Connection c = pg.connectAsSuperuser("eddy")) {
                    assertTrue(c.isValid(5), "Eddy's own services log in with the superuser's password");
                }
            }
        }
    }
}
