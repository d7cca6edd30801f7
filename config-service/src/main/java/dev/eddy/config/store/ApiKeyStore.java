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

    /** A stored key as the API lists it (never the key itself). */
    public record StoredKey(long id, String name, Instant createdAt, Instant revokedAt) {
    }

    /** Inserts a new key's hash; answers its id. */
    public long insert(Connection c, String name, String hash) throws SQLException {
        return CatalogStore.insert(c, "INSERT INTO config.api_keys(name, hash, created_at) VALUES (?,?,?)",
                name, hash, Timestamp.from(Instant.now()));
    }

    /** The name of the unrevoked key with this hash, if any. */
    public java.util.Optional<String> activeName(Connection c, String hash) throws SQLException {
        try (ResultSet rs = query(c, "SELECT name FROM config.api_keys WHERE hash = ? AND revoked_at IS NULL", hash)) {
            return rs.next() ? java.util.Optional.of(rs.getString(1)) : java.util.Optional.empty();
        }
    }

    public java.util.List<StoredKey> list(Connection c) throws SQLException {
        java.util.List<StoredKey> keys = new java.util.ArrayList<>();
        try (ResultSet rs = query(c, "SELECT id, name, created_at, revoked_at FROM config.api_keys ORDER BY id")) {
            while (rs.next()) {
                keys.add(new StoredKey(rs.getLong(1), rs.getString(2), Database.instant(rs.getTimestamp(3)), Database.instant(rs.getTimestamp(4))));
            }
        }
        return keys;
    }

    public java.util.Optional<StoredKey> find(Connection c, long id) throws SQLException {
        return list(c).stream().filter(k -> k.id() == id).findFirst();
    }

    /** Revokes the key; true when it existed and was active. */
    public boolean revoke(Connection c, long id) throws SQLException {
        return CatalogStore.update(c, "UPDATE config.api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                Timestamp.from(Instant.now()), id) == 1;
    }

    /** True when a key with this hash exists and is not revoked. */
    public boolean isActive(Connection c, String hash) throws SQLException {
        try (ResultSet rs = query(c, "SELECT 1 FROM config.api_keys WHERE hash = ? AND revoked_at IS NULL", hash)) {
            return rs.next();
        }
    }
}
