package dev.eddy.config.service;

import dev.eddy.config.domain.Model;
import dev.eddy.config.domain.Run;
import dev.eddy.config.domain.Sync;

import java.time.Instant;
import java.util.Optional;

/** A sync with what its API view derives from: its model and its newest run. */
public record SyncDetails(Sync sync, Model model, Optional<Run> latestRun) {

    /** Hightouch's SyncStatus: {@code disabled}, {@code pending} before any run, else the newest run's status. */
    public String status() {
        if (sync.disabled()) {
            return "disabled";
        }
        return latestRun.map(Run::status).orElse("pending");
    }

    /** When the newest run started, or was created while it has not started; null before any run. */
    public Instant lastRunAt() {
        return latestRun.map(r -> r.startedAt() != null ? r.startedAt() : r.createdAt()).orElse(null);
    }
}
