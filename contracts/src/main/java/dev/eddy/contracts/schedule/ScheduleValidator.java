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
}
