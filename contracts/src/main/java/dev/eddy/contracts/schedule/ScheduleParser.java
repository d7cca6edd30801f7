package dev.eddy.contracts.schedule;

import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.eddy.contracts.validation.KnownKeys;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a sync's {@code schedule} JSON ({@code {"type": .., "schedule": {..}}}, Hightouch's shape) into a
 * {@link Schedule}. A missing or null schedule is {@code manual}. Optional {@code startDate}, {@code endDate}
 * (ISO date = midnight UTC, or ISO instant) and {@code timezone} (IANA, default UTC) are read from the inner
 * {@code schedule} object or, failing that, from the outer one.
 */
public final class ScheduleParser {

    private static final CronParser CRON = new CronParser(
            CronDefinitionBuilder.instanceDefinitionFor(com.cronutils.model.CronType.UNIX));

    /** The longest interval a schedule may have. */
    static final Duration MAX_INTERVAL = Duration.ofDays(366);
    /** Schedule dates are refused outside these years (slot arithmetic in milliseconds stays far from overflow). */
    private static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private ScheduleParser() {
    }

    /**
     * The keys {@link #parse} reads of a schedule of {@code type}: the outer {@code type} and {@code schedule}, the
     * inner object's keys for that type, and {@code startDate}/{@code endDate} (interval) or {@code timezone}
     * (visual), inner or outer. A manual schedule's inner object is not read (clients send back the empty visual
     * recurrence a manual sync answers), so it is not checked; nor is the inner object of an unknown type (its
     * {@code type} is the problem). {@code dbtCredentialId} is what a dbt schedule answers, so it is known.
     */
    public static KnownKeys knownKeys(String type) {
        KnownKeys outer = KnownKeys.of("type", "schedule");
        return switch (type == null ? "" : type.toLowerCase(Locale.ROOT)) {
            case "interval" -> outer.and("startDate", "endDate").with("schedule", KnownKeys.of("startDate", "endDate")
                    .with("interval", KnownKeys.of("quantity", "unit")));
            case "visual", "visual_cron", "visualcron" -> outer.and("timezone").with("schedule", KnownKeys.of("timezone")
                    .withEach("expressions", KnownKeys.of("days", "time")));
            case "cron" -> outer.with("schedule", KnownKeys.of("expression"));
            case "dbt", "dbt_cloud", "dbt-cloud" -> outer.with("schedule", KnownKeys.of("dbtCredentialId")
                    .with("account", KnownKeys.of("id")).with("job", KnownKeys.of("id")));
            case "fivetran" -> outer.with("schedule", KnownKeys.of("connectorId"));
            case "manual" -> outer;
            default -> outer.and("startDate", "endDate", "timezone");
        };
    }

    /** @throws InvalidScheduleException naming every problem */
    public static Schedule parse(JsonNode outer) {
        if (outer == null || outer.isNull() || outer.isMissingNode()) {
            return new Schedule.Manual();
        }
        List<String> problems = new ArrayList<>();
        if (!outer.isObject()) {
            throw new InvalidScheduleException(List.of("schedule: must be an object {type, schedule}"));
        }
        String type = outer.path("type").asText("");
        JsonNode inner = outer.path("schedule");
        Schedule result = switch (type.toLowerCase(Locale.ROOT)) {
            case "manual" -> new Schedule.Manual();
            case "interval" -> interval(outer, inner, problems);
            case "visual", "visual_cron", "visualcron" -> visual(outer, inner, problems);
            case "cron" -> cron(inner, problems);
            case "dbt", "dbt_cloud", "dbt-cloud" -> dbt(inner, problems);
            case "fivetran" -> fivetran(inner, problems);
            default -> {
                problems.add("schedule.type: \"" + type + "\" is not one of manual, interval, visual, cron, dbt, fivetran");
                yield null;
            }
        };
        if (!problems.isEmpty()) {
            throw new InvalidScheduleException(problems);
        }
        return result;
    }

    private static Schedule interval(JsonNode outer, JsonNode inner, List<String> problems) {
        JsonNode interval = inner.path("interval");
        JsonNode quantity = interval.path("quantity");
        String unit = interval.path("unit").asText("");
        Duration unitLength = switch (unit) {
            case "minute" -> Duration.ofMinutes(1);
            case "hour" -> Duration.ofHours(1);
            case "day" -> Duration.ofDays(1);
            case "week" -> Duration.ofDays(7);
            default -> {
                problems.add("schedule.schedule.interval.unit: \"" + unit + "\" is not one of minute, hour, day, week");
                yield null;
            }
        };
        // bounded so the slot arithmetic (milliseconds in a long) can never overflow: at most a year
        long max = unitLength == null ? Long.MAX_VALUE : MAX_INTERVAL.dividedBy(unitLength);
        if (!quantity.isIntegralNumber() || !quantity.canConvertToLong() || quantity.asLong() < 1 || quantity.asLong() > max) {
            problems.add("schedule.schedule.interval.quantity: must be a whole number of at least 1 and at most "
                    + (unitLength == null ? "a year in its unit" : max + " (a year in " + unit + "s)"));
        }
        Instant start = instant(outer, inner, "startDate", problems);
        Instant end = instant(outer, inner, "endDate", problems);
        if (start != null && end != null && end.isBefore(start)) {
            problems.add("schedule.endDate: is before startDate");
        }
        if (!problems.isEmpty()) {
            return null;
        }
        Instant anchor = start != null ? start : unit.equals("week") ? Schedule.Interval.EPOCH_MONDAY : Instant.EPOCH;
        return new Schedule.Interval(unitLength.multipliedBy(quantity.asLong()), anchor, end);
    }

    private static Schedule visual(JsonNode outer, JsonNode inner, List<String> problems) {
        ZoneId zone = ZoneOffset.UTC;
        String zoneName = text(inner, "timezone", text(outer, "timezone", null));
        if (zoneName != null) {
            try {
                zone = ZoneId.of(zoneName);
            } catch (DateTimeException e) {
                problems.add("schedule.timezone: \"" + zoneName + "\" is not an IANA time zone");
            }
        }
        JsonNode expressions = inner.path("expressions");
        if (!expressions.isArray() || expressions.isEmpty()) {
            problems.add("schedule.schedule.expressions: must be a non-empty list of {days, time}");
            return null;
        }
        List<Schedule.Visual.Expression> parsed = new ArrayList<>();
        for (int i = 0; i < expressions.size(); i++) {
            JsonNode e = expressions.get(i);
            String at = "schedule.schedule.expressions[" + i + "]";
            Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
            e.path("days").fields().forEachRemaining(day -> {
                try {
                    if (day.getValue().asBoolean(false)) {
                        days.add(DayOfWeek.valueOf(day.getKey().toUpperCase(Locale.ROOT)));
                    }
                } catch (IllegalArgumentException ex) {
                    problems.add(at + ".days: \"" + day.getKey() + "\" is not a day of the week");
                }
            });
            if (days.isEmpty()) {
                problems.add(at + ".days: no day is chosen");
            }
            LocalTime time = null;
            try {
                time = LocalTime.parse(e.path("time").asText(""));
            } catch (DateTimeParseException ex) {
                problems.add(at + ".time: \"" + e.path("time").asText("") + "\" is not a time HH:mm");
            }
            parsed.add(new Schedule.Visual.Expression(days, time));
        }
        return problems.isEmpty() ? new Schedule.Visual(List.copyOf(parsed), zone) : null;
    }

    private static Schedule cron(JsonNode inner, List<String> problems) {
        String expression = inner.path("expression").asText("").trim();
        try {
            com.cronutils.model.Cron cron = CRON.parse(expression).validate();
            return new Schedule.Cron(expression, ExecutionTime.forCron(cron));
        } catch (IllegalArgumentException e) {
            problems.add("schedule.schedule.expression: \"" + expression + "\" is not a valid 5-field cron expression: "
                    + e.getMessage());
            return null;
        }
    }

    private static Schedule dbt(JsonNode inner, List<String> problems) {
        String account = text(inner.path("account"), "id", null);
        String job = text(inner.path("job"), "id", null);
        if (account == null) {
            problems.add("schedule.schedule.account.id: is required");
        }
        if (job == null) {
            problems.add("schedule.schedule.job.id: is required");
        }
        return problems.isEmpty() ? new Schedule.DbtJob(account, job) : null;
    }

    private static Schedule fivetran(JsonNode inner, List<String> problems) {
        String connector = text(inner, "connectorId", null);
        if (connector == null) {
            problems.add("schedule.schedule.connectorId: is required");
            return null;
        }
        return new Schedule.FivetranConnector(connector);
    }

    /** Ids may come as JSON strings or numbers (dbt Cloud sends both); blank counts as missing. */
    private static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.path(field);
        if (value.isTextual() || value.isNumber()) {
            String s = value.asText().trim();
            return s.isEmpty() ? fallback : s;
        }
        return fallback;
    }

    private static Instant instant(JsonNode outer, JsonNode inner, String field, List<String> problems) {
        String value = text(inner, field, text(outer, field, null));
        if (value == null) {
            return null;
        }
        try {
            Instant parsed = value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(value);
            if (parsed.isBefore(EARLIEST) || parsed.isAfter(LATEST)) {
                problems.add("schedule." + field + ": \"" + value + "\" is not between the years 1900 and 9999");
                return null;
            }
            return parsed;
        } catch (DateTimeParseException e) {
            problems.add("schedule." + field + ": \"" + value + "\" is not an ISO date or instant");
            return null;
        }
    }
}
