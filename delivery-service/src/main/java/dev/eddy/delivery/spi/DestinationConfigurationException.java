package dev.eddy.delivery.spi;

import dev.eddy.contracts.destination.ConfigProblem;

import java.util.List;

/** A destination configuration a connector cannot work with: fatal for the run, never retried. */
public final class DestinationConfigurationException extends Exception {

    private final List<ConfigProblem> problems;

    public DestinationConfigurationException(List<ConfigProblem> problems) {
        super("invalid destination configuration: " + String.join("; ", problems.stream().map(ConfigProblem::toString).toList()));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
