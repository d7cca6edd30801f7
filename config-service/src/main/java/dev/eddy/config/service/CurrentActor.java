package dev.eddy.config.service;

import io.quarkus.arc.Arc;
import jakarta.enterprise.context.RequestScoped;

/** The name of the API key behind the current request; {@code system} outside requests. */
@RequestScoped
public class CurrentActor {

    /** The actor of changes made outside an API request (startup, consumers). */
    public static final String SYSTEM = "system";

    private String name = SYSTEM;

    public void set(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** The actor of the active request, or {@link #SYSTEM} when no request is active. */
    public static String current() {
        if (!Arc.container().requestContext().isActive()) {
            return SYSTEM;
        }
        return Arc.container().instance(CurrentActor.class).get().name();
    }
}
