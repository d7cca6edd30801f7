package dev.eddy.embedded;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** The demo warehouse: a database {@code warehouse} with a sample {@code customers} table. */
public final class DemoWarehouse {

    public static final String DATABASE = "warehouse";

    private DemoWarehouse() {
    }

    /** Creates the database and the {@code customers} table with 10 rows, unless the table exists. */
    public static void seed(EmbeddedPostgresServer postgres) {
        postgres.createDatabase(DATABASE);
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(DATABASE), "postgres", "");
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
}
