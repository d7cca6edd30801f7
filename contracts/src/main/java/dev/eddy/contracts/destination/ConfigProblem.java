package dev.eddy.contracts.destination;

/** One problem of a destination configuration: the field at fault and what is wrong with it. */
public record ConfigProblem(String field, String message) {

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
