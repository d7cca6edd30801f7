package dev.eddy.config.store;

import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

import static dev.eddy.config.store.CatalogStore.query;

/** API keys in {@code config.api_keys}, only ever as SHA-256 hashes. */
@ApplicationScoped
public class ApiKeyStore {

    /** Inserts the key's hash under the name unless that hash is already stored; true when inserted. */
    public boolean insertIfAbsent(Connection c, String name, String hash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO config.api_keys(name, hash, created_at) VALUES (?,?,?) ON CONFLICT (hash) DO NOTHING")) {
            ps.setString(1, name);
            ps.setString(2, hash);
            ps.setTimestamp(3, Timestamp.from(Instant.now()));
            return ps.executeUpdate() == 1;
        }
    }

    /** True when a key with this hash exists and is not revoked. */
    public boolean isActive(Connection c, String hash) throws SQLException {
        try (ResultSet rs = query(c, "SELECT 1 FROM config.api_keys WHERE hash = ? AND revoked_at IS NULL", hash)) {
            return rs.next();
        }
    }
}
