package dev.eddy.config.gitsync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.eddy.config.store.ConfigSchema;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Git Sync's own tables in schema {@code config}: the one setup row with its status, per-object sync marks (the API
 * update time last written to or read from Git), and the outbox of API changes still to commit.
 */
@ApplicationScoped
public class GitSyncStore {

    /** An API change waiting to be committed. */
    public record OutboxEntry(long id, GitSyncKind kind, long objectId, String slug, GitSyncChange.Change change,
                              String actor) {
    }

    private static final String[] DDL = {
            """
            CREATE TABLE IF NOT EXISTS config.git_sync (
              id int PRIMARY KEY CHECK (id = 1), repo_url text NOT NULL, branch text NOT NULL, path text NOT NULL,
              credentials text, poll_seconds int NOT NULL, apply_deletes boolean NOT NULL, status jsonb NOT NULL,
              updated_at timestamptz NOT NULL)""",
            """
            CREATE TABLE IF NOT EXISTS config.git_sync_objects (
              kind text NOT NULL, slug text NOT NULL, synced_updated_at timestamptz NOT NULL, PRIMARY KEY (kind, slug))""",
            """
            CREATE TABLE IF NOT EXISTS config.git_sync_outbox (
              id bigserial PRIMARY KEY, kind text NOT NULL, object_id bigint NOT NULL, slug text, change text NOT NULL,
              actor text, created_at timestamptz NOT NULL)""",
    };

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final AgroalDataSource dataSource;

    public GitSyncStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    void onStart(@Observes @Priority(ConfigSchema.STARTUP_PRIORITY + 5) StartupEvent event) {
        ConfigSchema.apply(dataSource, "Git Sync tables", DDL);
    }

    public Optional<GitSyncSettings> settings() {
        return work(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT repo_url, branch, path, credentials, poll_seconds, apply_deletes FROM config.git_sync WHERE id = 1");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new GitSyncSettings(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getString(4), rs.getInt(5), rs.getBoolean(6))) : Optional.empty();
            }
        });
    }

    public GitSyncStatus status() {
        return work(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT status::text FROM config.git_sync WHERE id = 1");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() ? read(rs.getString(1)) : GitSyncStatus.empty();
            }
        });
    }

    /** Stores a new setup; a different repository, branch or folder starts from an empty status and no marks. */
    public void save(GitSyncSettings s, boolean fresh) {
        work(c -> {
            if (fresh) {
                clear(c);
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO config.git_sync(id, repo_url, branch, path, credentials, poll_seconds, apply_deletes, status, updated_at)
                    VALUES (1,?,?,?,?,?,?,?::jsonb,?) ON CONFLICT (id) DO UPDATE SET repo_url = EXCLUDED.repo_url,
                    branch = EXCLUDED.branch, path = EXCLUDED.path, credentials = EXCLUDED.credentials,
                    poll_seconds = EXCLUDED.poll_seconds, apply_deletes = EXCLUDED.apply_deletes, updated_at = EXCLUDED.updated_at""")) {
                ps.setString(1, s.repoUrl());
                ps.setString(2, s.branch());
                ps.setString(3, s.path());
                ps.setString(4, s.sealedCredentials());
                ps.setInt(5, s.pollSeconds());
                ps.setBoolean(6, s.applyDeletes());
                ps.setString(7, write(GitSyncStatus.empty()));
                ps.setTimestamp(8, Timestamp.from(Instant.now()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    public void delete() {
        work(c -> {
            clear(c);
            return null;
        });
    }

    public void saveStatus(GitSyncStatus status) {
        work(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE config.git_sync SET status = ?::jsonb WHERE id = 1")) {
                ps.setString(1, write(status));
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Records an API change to commit; ignored while Git Sync is off. */
    public void enqueue(GitSyncChange change) {
        work(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO config.git_sync_outbox(kind, object_id, slug, change, actor, created_at)
                    SELECT ?,?,?,?,?,? WHERE EXISTS (SELECT 1 FROM config.git_sync WHERE id = 1)""")) {
                ps.setString(1, change.kind().name());
                ps.setLong(2, change.id());
                ps.setString(3, change.slug());
                ps.setString(4, change.change().name());
                ps.setString(5, change.actor());
                ps.setTimestamp(6, Timestamp.from(Instant.now()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    public List<OutboxEntry> outbox() {
        return work(c -> {
            List<OutboxEntry> entries = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, kind, object_id, slug, change, actor FROM config.git_sync_outbox ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    entries.add(new OutboxEntry(rs.getLong(1), GitSyncKind.valueOf(rs.getString(2)), rs.getLong(3),
                            rs.getString(4), GitSyncChange.Change.valueOf(rs.getString(5)), rs.getString(6)));
                }
            }
            return entries;
        });
    }

    /** Removes the outbox entries up to and including {@code lastId}: they are pushed. */
    public void removeOutbox(long lastId) {
        work(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM config.git_sync_outbox WHERE id <= ?")) {
                ps.setLong(1, lastId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The API update time last synced for the object, if any. */
    public Optional<Instant> syncedAt(GitSyncKind kind, String slug) {
        return work(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT synced_updated_at FROM config.git_sync_objects WHERE kind = ? AND slug = ?")) {
                ps.setString(1, kind.name());
                ps.setString(2, slug);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getTimestamp(1).toInstant()) : Optional.empty();
                }
            }
        });
    }

    public void markSynced(GitSyncKind kind, String slug, Instant updatedAt) {
        work(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO config.git_sync_objects(kind, slug, synced_updated_at) VALUES (?,?,?)
                    ON CONFLICT (kind, slug) DO UPDATE SET synced_updated_at = EXCLUDED.synced_updated_at""")) {
                ps.setString(1, kind.name());
                ps.setString(2, slug);
                ps.setTimestamp(3, Timestamp.from(updatedAt));
                ps.executeUpdate();
            }
            return null;
        });
    }

    public void forget(GitSyncKind kind, String slug) {
        work(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM config.git_sync_objects WHERE kind = ? AND slug = ?")) {
                ps.setString(1, kind.name());
                ps.setString(2, slug);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The name of the API key with this hash, if stored. */
    public Optional<String> apiKeyName(String hash) {
        return work(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM config.api_keys WHERE hash = ?")) {
                ps.setString(1, hash);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    private static void clear(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DELETE FROM config.git_sync");
            s.execute("DELETE FROM config.git_sync_objects");
            s.execute("DELETE FROM config.git_sync_outbox");
        }
    }

    private static String write(GitSyncStatus status) {
        try {
            return JSON.writeValueAsString(status);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the Git Sync status", e);
        }
    }

    private static GitSyncStatus read(String json) {
        try {
            return JSON.readValue(json, GitSyncStatus.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the stored Git Sync status is unreadable", e);
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T work(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException("Git Sync store: " + e.getMessage(), e);
        }
    }
}
