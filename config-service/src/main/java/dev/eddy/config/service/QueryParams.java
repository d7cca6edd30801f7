package dev.eddy.config.service;

import dev.eddy.config.store.ListQuery;
import dev.eddy.config.store.RunQuery;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Set;

/** Parses the query parameters of lists and run lists; every bad value is a 422 naming the parameter. */
public final class QueryParams {

    /** The most objects or runs one page holds. */
    public static final int MAX_LIMIT = 1000;
    /** Hightouch's default page size for runs. */
    public static final int DEFAULT_RUN_LIMIT = 5;

    /** The widest {@code within} window: 100 years of minutes (a wider one would overflow the time arithmetic). */
    static final BigDecimal MAX_WITHIN_MINUTES = BigDecimal.valueOf(100L * 366 * 24 * 60);
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private static final Set<String> LIST_ORDERS = Set.of("id", "name", "slug", "createdAt", "updatedAt");
    private static final Set<String> RUN_ORDERS = Set.of("id", "createdAt", "startedAt", "finishedAt");

    private QueryParams() {
    }

    /** {@code GET /sources|models|destinations|syncs}: slug, name, modelId, after, before, limit, offset, orderBy. */
    public static ListQuery list(String slug, String name, String modelId, String after, String before, String limit,
                                 String offset, String orderBy) {
        FieldProblems p = new FieldProblems();
        Long model = null;
        if (present(modelId)) {
            Long n = whole(p, "modelId", modelId, 1, Long.MAX_VALUE);
            model = n;
        }
        Instant from = time(p, "after", after);
        Instant to = time(p, "before", before);
        int pageSize = whole(p, "limit", limit, 1, MAX_LIMIT, ListQuery.DEFAULT_LIMIT);
        int skip = whole(p, "offset", offset, 0, Integer.MAX_VALUE, 0);
        String order = present(orderBy) ? orderBy.trim() : "id";
        if (!LIST_ORDERS.contains(order)) {
            p.add("orderBy", "must be one of id, name, slug, createdAt, updatedAt");
        }
        p.throwIfAny();
        return new ListQuery(present(slug) ? slug : null, present(name) ? name : null, model, from, to, pageSize, skip, order);
    }

    /** {@code GET /syncs/{id}/runs}: runId, limit, offset, after, before, within (minutes), orderBy. */
    public static RunQuery runs(String runId, String limit, String offset, String after, String before, String within,
                                String orderBy) {
        FieldProblems p = new FieldProblems();
        Long run = null;
        if (present(runId)) {
            if (runId.trim().matches("\\d{1,18}")) {
                run = Long.parseLong(runId.trim());
            } else {
                p.add("runId", "must be a run id (a numeric string)");
            }
        }
        int pageSize = whole(p, "limit", limit, 1, MAX_LIMIT, DEFAULT_RUN_LIMIT);
        int skip = whole(p, "offset", offset, 0, Integer.MAX_VALUE, 0);
        Instant from = time(p, "after", after);
        Instant to = time(p, "before", before);
        if (present(within)) {
            try {
                BigDecimal minutes = new BigDecimal(within.trim());
                if (minutes.signum() <= 0 || minutes.compareTo(MAX_WITHIN_MINUTES) > 0) {
                    p.add("within", "must be a positive number of minutes, at most " + MAX_WITHIN_MINUTES + " (100 years)");
                } else {
                    Instant since = Instant.now().minusMillis(minutes.multiply(BigDecimal.valueOf(60_000)).longValue());
                    from = from == null || since.isAfter(from) ? since : from;
                }
            } catch (NumberFormatException e) {
                p.add("within", "must be a number of minutes");
            }
        }
        String order = present(orderBy) ? orderBy.trim() : "id";
        if (!RUN_ORDERS.contains(order)) {
            p.add("orderBy", "must be one of id, createdAt, startedAt, finishedAt");
        }
        p.throwIfAny();
        return new RunQuery(run, from, to, pageSize, skip, order);
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    private static int whole(FieldProblems p, String field, String value, int min, int max, int fallback) {
        if (!present(value)) {
            return fallback;
        }
        Long n = whole(p, field, value, min, max);
        return n == null ? fallback : n.intValue();
    }

    /** A whole number; the spec types these parameters as numbers, so {@code 5.0} is accepted as 5. */
    private static Long whole(FieldProblems p, String field, String value, long min, long max) {
        try {
            BigDecimal d = new BigDecimal(value.trim());
            long n = d.longValueExact();
            if (n < min || n > max) {
                p.add(field, max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? "must be at least " + min : "must be between " + min + " and " + max);
                return null;
            }
            return n;
        } catch (NumberFormatException | ArithmeticException e) {
            p.add(field, "must be a whole number");
            return null;
        }
    }

    /** An ISO-8601 date-time (an offset or Z), or a date meaning its start in UTC. */
    private static Instant time(FieldProblems p, String field, String value) {
        if (!present(value)) {
            return null;
        }
        String v = value.trim();
        Instant parsed;
        try {
            parsed = OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            try {
                parsed = LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                p.add(field, "must be an ISO-8601 date-time such as 2024-05-01T12:00:00Z");
                return null;
            }
        }
        if (parsed.isBefore(EARLIEST) || parsed.isAfter(LATEST)) {
            p.add(field, "must be between the years 1 and 9999");
            return null;
        }
        return parsed;
    }
}
