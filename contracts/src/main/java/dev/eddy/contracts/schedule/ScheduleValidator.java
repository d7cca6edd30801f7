package dev.eddy.contracts.schedule;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * The API's check of a sync's (or sequence's) {@code schedule}: every problem at once, each naming its
 * field, e.g. {@code schedule.schedule.expression: "61 * * * *" is not a valid 5-field cron expression: ...}.
 * Pure (Jackson and cron-utils only), so config-service can answer 422 with the same rules the scheduler runs.
 */
public final class ScheduleValidator {

    private ScheduleValidator() {
    }

    /** The problems of {@code schedule} (the {@code {type, schedule}} object, or null); empty when valid. */
    public static List<String> problems(JsonNode schedule) {
        try {
            ScheduleParser.parse(schedule);
            return List.of();
        } catch (InvalidScheduleException e) {
            return e.problems();
        }
    }

    /**
     * The keys of {@code schedule} its type does not read ({@link ScheduleParser#knownKeys}), in the same
     * {@code path: reason} form, e.g. {@code schedule.schedule.intervall: unknown setting; did you mean interval?}.
     * Apart from {@link #problems}, so a schedule stored before a key was refused still fires.
     */
    public static List<String> unknownKeys(JsonNode schedule) {
        if (schedule == null || !schedule.isObject()) {
            return List.of();
        }
        return ScheduleParser.knownKeys(schedule.path("type").asText("")).unknown(schedule, "schedule").stream()
                .map(u -> u.path() + ": " + u.message()).toList();
    }
}
