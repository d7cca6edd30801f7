package dev.eddy.config.api;

import dev.eddy.config.service.ConfigChanged;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every {@link ConfigChanged} the service fires, as Git Sync would observe them. */
@Singleton
public class RecordedChanges {

    final List<ConfigChanged> seen = new CopyOnWriteArrayList<>();

    void on(@Observes ConfigChanged change) {
        seen.add(change);
    }
}
