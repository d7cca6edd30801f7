package dev.eddy.contracts.schedule;

import java.util.List;

/** A schedule that cannot be evaluated; {@link #problems()} names every field that is wrong, all at once. */
public class InvalidScheduleException extends RuntimeException {

    private final List<String> problems;

    public InvalidScheduleException(List<String> problems) {
        super("invalid schedule: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
