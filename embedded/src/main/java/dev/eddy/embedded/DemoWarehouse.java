package dev.eddy.embedded;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The demo warehouse: a database {@code warehouse} with a sample {@code customers} table. With
 * {@link #grantTo} it belongs to its own login role, which is no superuser: a model on the demo source cannot run
 * {@code COPY ... TO PROGRAM}, read the server's files or reach Eddy's own database.
 */
public final class DemoWarehouse {

    public static final String DATABASE = "warehouse";
    /** The demo warehouse's own role ({@code ./eddy local}). */
    public static final String USER = "eddy_demo";

    private DemoWarehouse() {
    }

    /** Creates the database and the {@code customers} table with 10 rows, unless the table exists. */
    public static void seed(EmbeddedPostgresServer postgres) {
        postgres.createDatabase(DATABASE);
        try (Connection c = postgres.connectAsSuperuser(DATABASE);
             Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE IF NOT EXISTS customers (
                      id         integer PRIMARY KEY,
                      email      text NOT NULL,
                      first_name text,
                      last_name  text,
                      plan       text,
                      ltv        numeric(12,2),
                      updated_at timestamptz NOT NULL DEFAULT now()
                    )""");
            s.execute("""
                    INSERT INTO customers (id, email, first_name, last_name, plan, ltv) VALUES
                      (1, 'ada@example.com', 'Ada', 'Lovelace', 'enterprise', 1200.00),
                      (2, 'grace@example.com', 'Grace', 'Hopper', 'pro', 640.50),
                      (3, 'alan@example.com', 'Alan', 'Turing', 'free', 0),
                      (4, 'edsger@example.com', 'Edsger', 'Dijkstra', 'pro', 320.00),
                      (5, 'barbara@example.com', 'Barbara', 'Liskov', 'enterprise', 2210.75),
                      (6, 'donald@example.com', 'Donald', 'Knuth', 'free', 0),
                      (7, 'margaret@example.com', 'Margaret', 'Hamilton', 'pro', 410.00),
                      (8, 'ken@example.com', 'Ken', 'Thompson', 'pro', 515.25),
                      (9, 'frances@example.com', 'Frances', 'Allen', 'enterprise', 1800.00),
                      (10, 'john@example.com', 'John', 'Backus', 'free', 12.00)
                    ON CONFLICT (id) DO NOTHING""");
        } catch (SQLException e) {
            throw new IllegalStateException("the demo warehouse cannot be seeded: " + e.getMessage(), e);
        }
    }

    /**
     * Makes {@link #USER} (password {@code password}) the owner of the demo database and its table: a login role
     * without superuser, database or role creation rights, and in none of the roles that run programs or read and
     * write the server's files. Every other database ({@code eddy}, {@code postgres}) refuses connections from roles
     * not granted them, so the demo role cannot reach Eddy's own schemas. Run at each start (the password may change).
     *
     * @param ownDatabases the databases only the superuser may connect to
     */
    public static void grantTo(EmbeddedPostgresServer postgres, String password, String... ownDatabases) {
        if (password == null || !password.matches("[A-Za-z0-9_]{16,}")) {
            throw new IllegalArgumentException("the demo warehouse's password must be 16 or more letters, digits or '_'");
        }
        try (Connection c = postgres.connectAsSuperuser(DATABASE);
             Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + USER + "') THEN CREATE ROLE " + USER
                    + " LOGIN; END IF; END $$");
            s.execute("ALTER ROLE " + USER + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
                    + " PASSWORD '" + password + "'");
            for (String role : new String[] {"pg_execute_server_program", "pg_read_server_files", "pg_write_server_files"}) {
                s.execute("REVOKE " + role + " FROM " + USER);
            }
            s.execute("ALTER DATABASE " + DATABASE + " OWNER TO " + USER);
            s.execute("ALTER TABLE customers OWNER TO " + USER);
            s.execute("REVOKE CONNECT ON DATABASE postgres FROM PUBLIC");
            for (String database : ownDatabases) {
                s.execute("REVOKE CONNECT ON DATABASE \"" + database.replace("\"", "\"\"") + "\" FROM PUBLIC");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the demo warehouse's role cannot be set up: " + e.getMessage(), e);
        }
    }
}
