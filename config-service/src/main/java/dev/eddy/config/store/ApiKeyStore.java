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

    /** What storing the bootstrap key changed. */
    public record BootstrapOutcome(boolean inserted, boolean reactivated, int revoked) {
    }

    /**
     * Makes the key with this hash the one bootstrap key: stored (or marked bootstrap, and un-revoked, when the hash is
     * already there), and every other active bootstrap key revoked. Keys made through the API are left alone. Serialized
     * by an advisory lock, so instances starting at once with different keys leave exactly one active.
     */
    public BootstrapOutcome replaceBootstrap(Connection c, String name, String hash) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('eddy.config.bootstrap-key'))")) {
            lock.execute();
        }
        Timestamp now = Timestamp.from(Instant.now());
        boolean inserted;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO config.api_keys(name, hash, created_at, bootstrap) "
                + "VALUES (?,?,?,true) ON CONFLICT (hash) DO NOTHING")) {
            ps.setString(1, name);
            ps.setString(2, hash);
            ps.setTimestamp(3, now);
            inserted = ps.executeUpdate() == 1;
        }
        boolean reactivated = false;
        if (!inserted) {
            reactivated = CatalogStore.update(c, "UPDATE config.api_keys SET revoked_at = NULL WHERE hash = ? AND revoked_at IS NOT NULL",
                    hash) == 1;
            CatalogStore.update(c, "UPDATE config.api_keys SET bootstrap = true WHERE hash = ?", hash);
        }
        int revoked = CatalogStore.update(c, "UPDATE config.api_keys SET revoked_at = ? WHERE bootstrap AND hash <> ? "
                + "AND revoked_at IS NULL", now, hash);
        return new BootstrapOutcome(inserted, reactivated, revoked);
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
