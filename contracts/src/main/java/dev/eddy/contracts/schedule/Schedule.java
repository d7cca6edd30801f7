package dev.eddy.contracts.schedule;

import com.cronutils.model.time.ExecutionTime;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A sync's schedule, as Hightouch shapes it. Time-based kinds answer which slot is due; event-based
 * kinds ({@link DbtJob}, {@link FivetranConnector}) and {@link Manual} never are, they run on triggers.
 */
public sealed interface Schedule {

    /** The latest slot at or before {@code now}, if any (time-based kinds only). */
    default Optional<Instant> latestSlotAtOrBefore(Instant now) {
        return Optional.empty();
    }

    /** The first slot strictly after {@code t}, if any (time-based kinds only). */
    default Optional<Instant> nextSlotAfter(Instant t) {
        return Optional.empty();
    }

    /** The schedule's kind as the API names it. */
    String type();

    /** Only API, dashboard or sequence triggers. */
    record Manual() implements Schedule {
        public String type() {
            return "manual";
        }
    }

    /**
     * Every {@code period}, on slots {@code anchor + k * period}: the anchor is the start date when given,
     * else the Unix epoch (so "every hour" fires on the hour, "every 15 minutes" at :00/:15/:30/:45, "every
     * day" at 00:00 UTC) and, for weeks, Monday 1970-01-05 00:00 UTC. Slots after {@code end} never fire.
     */
    record Interval(Duration period, Instant anchor, Instant end) implements Schedule {
        static final Instant EPOCH_MONDAY = Instant.parse("1970-01-05T00:00:00Z");

        public String type() {
            return "interval";
        }

        @Override
        public Optional<Instant> latestSlotAtOrBefore(Instant now) {
            Instant limit = end != null && end.isBefore(now) ? end : now;
            if (limit.isBefore(anchor)) {
                return Optional.empty();
            }
            long k = Duration.between(anchor, limit).toMillis() / period.toMillis();
            return Optional.of(anchor.plusMillis(k * period.toMillis()));
        }

        @Override
        public Optional<Instant> nextSlotAfter(Instant t) {
            Instant next;
            if (t.isBefore(anchor)) {
                next = anchor;
            } else {
                long k = Duration.between(anchor, t).toMillis() / period.toMillis() + 1;
                next = anchor.plusMillis(k * period.toMillis());
            }
            return end != null && next.isAfter(end) ? Optional.empty() : Optional.of(next);
        }
    }

    /**
     * Custom recurrence: at each {@code time} on the chosen {@code days}, in wall-clock time of {@code zone}.
     * Across daylight-saving changes each slot fires once: a time skipped by the spring-forward gap fires
     * at the same offset after the gap (02:30 becomes 03:30), a time repeated in the autumn fires at its
     * first occurrence.
     */
    record Visual(List<Expression> expressions, ZoneId zone) implements Schedule {
        /** One "these days, at this time" line. */
        public record Expression(Set<DayOfWeek> days, LocalTime time) {
        }

        public String type() {
            return "visual";
        }

        @Override
        public Optional<Instant> latestSlotAtOrBefore(Instant now) {
            LocalDate today = now.atZone(zone).toLocalDate();
            Instant best = null;
            for (int back = -1; back <= 8; back++) {
                for (Instant slot : slotsOn(today.minusDays(back))) {
                    if (!slot.isAfter(now) && (best == null || slot.isAfter(best))) {
                        best = slot;
                    }
                }
            }
            return Optional.ofNullable(best);
        }

        @Override
        public Optional<Instant> nextSlotAfter(Instant t) {
            LocalDate today = t.atZone(zone).toLocalDate();
            Instant best = null;
            for (int ahead = -1; ahead <= 8; ahead++) {
                for (Instant slot : slotsOn(today.plusDays(ahead))) {
                    if (slot.isAfter(t) && (best == null || slot.isBefore(best))) {
                        best = slot;
                    }
                }
            }
            return Optional.ofNullable(best);
        }

        private List<Instant> slotsOn(LocalDate date) {
            return expressions.stream()
                    .filter(e -> e.days().contains(date.getDayOfWeek()))
                    // ZonedDateTime.of resolves a gap forward by its length and an overlap to the earlier offset
                    .map(e -> ZonedDateTime.of(date, e.time(), zone).toInstant())
                    .toList();
        }
    }

    /** A 5-field Unix cron expression, evaluated in UTC. */
    record Cron(String expression, ExecutionTime executionTime) implements Schedule {
        public String type() {
            return "cron";
        }

        @Override
        public Optional<Instant> latestSlotAtOrBefore(Instant now) {
            // lastExecution is strictly before its argument; cron slots are whole minutes
            return executionTime.lastExecution(now.plusMillis(1).atZone(ZoneOffset.UTC)).map(ZonedDateTime::toInstant);
        }

        @Override
        public Optional<Instant> nextSlotAfter(Instant t) {
            return executionTime.nextExecution(t.atZone(ZoneOffset.UTC)).map(ZonedDateTime::toInstant);
        }
    }

    /** After the dbt Cloud job {@code jobId} of account {@code accountId} completes successfully. */
    record DbtJob(String accountId, String jobId) implements Schedule {
        public String type() {
            return "dbt";
        }
    }

    /** After the Fivetran connector's sync ends successfully. */
    record FivetranConnector(String connectorId) implements Schedule {
        public String type() {
            return "fivetran";
        }
    }
}
