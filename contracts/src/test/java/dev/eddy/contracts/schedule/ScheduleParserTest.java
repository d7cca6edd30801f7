package dev.eddy.contracts.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each schedule kind evaluated against a controllable clock (plain instants), and the validator's messages. */
class ScheduleParserTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Schedule parse(String json) {
        try {
            return ScheduleParser.parse(JSON.readTree(json));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> problems(String json) throws Exception {
        return ScheduleValidator.problems(JSON.readTree(json));
    }

    private static Instant at(String iso) {
        return Instant.parse(iso);
    }

    private static List<String> unknownKeys(String json) throws Exception {
        return ScheduleValidator.unknownKeys(JSON.readTree(json));
    }

    @Test
    void keysAScheduleTypeDoesNotReadAreReportedWithTheirPaths() throws Exception {
        assertEquals(List.of("schedule.schedule.expressions[0].tme: unknown setting; did you mean time?"), unknownKeys("""
                {"type": "visual", "timezone": "Europe/Berlin",
                 "schedule": {"expressions": [{"days": {"monday": true}, "tme": "09:00"}]}}"""));
        assertEquals(List.of("schedule.schedule.job.Id: unknown setting; did you mean id?"), unknownKeys("""
                {"type": "dbt", "schedule": {"account": {"id": "1"}, "job": {"Id": "2"}, "dbtCredentialId": "x"}}"""));
        assertEquals(List.of("schedule.scheduel: unknown setting; did you mean schedule?"), unknownKeys("""
                {"type": "cron", "scheduel": {"expression": "0 * * * *"}}"""));
        // what a manual sync answers, sent back: its inner object is not read, so not checked
        assertEquals(List.of(), unknownKeys("{\"type\": \"manual\", \"schedule\": {\"expressions\": []}}"));
        assertEquals(List.of(), unknownKeys("""
                {"type": "interval", "schedule": {"interval": {"quantity": 1, "unit": "hour"}, "startDate": "2026-01-01"}}"""));
    }

    @Test
    void missingOrManualScheduleNeverFires() throws Exception {
        Schedule manual = ScheduleParser.parse(null);
        assertInstanceOf(Schedule.Manual.class, manual);
        assertEquals(Optional.empty(), FirePlan.due(parse("{\"type\":\"manual\"}"), Instant.EPOCH, at("2026-03-01T10:00:00Z")));
        assertEquals(List.of(), problems("{\"type\":\"manual\"}"));
    }

    @Test
    void everyFifteenMinutesFiresOnTheQuarterHourOncePerSlot() {
        Schedule s = parse("{\"type\":\"interval\",\"schedule\":{\"interval\":{\"quantity\":15,\"unit\":\"minute\"}}}");
        Instant seen = at("2026-03-01T10:07:12Z");
        assertEquals(Optional.empty(), FirePlan.due(s, seen, at("2026-03-01T10:14:59Z")));
        assertEquals(Optional.of(at("2026-03-01T10:15:00Z")), FirePlan.due(s, seen, at("2026-03-01T10:15:00Z")));
        assertEquals(Optional.empty(), FirePlan.due(s, at("2026-03-01T10:15:00Z"), at("2026-03-01T10:29:00Z")));
        assertEquals(Optional.of(at("2026-03-01T10:30:00Z")), s.nextSlotAfter(at("2026-03-01T10:15:00Z")));
    }

    @Test
    void slotsMissedWhileDownAreCaughtUpWithOneRun() {
        Schedule s = parse("{\"type\":\"interval\",\"schedule\":{\"interval\":{\"quantity\":1,\"unit\":\"hour\"}}}");
        assertEquals(Optional.of(at("2026-03-01T15:00:00Z")),
                FirePlan.due(s, at("2026-03-01T10:00:00Z"), at("2026-03-01T15:20:00Z")));
    }

    @Test
    void intervalHonoursStartAndEndDates() {
        Schedule s = parse("{\"type\":\"interval\",\"schedule\":{\"interval\":{\"quantity\":2,\"unit\":\"day\"},"
                + "\"startDate\":\"2026-03-10T06:30:00Z\",\"endDate\":\"2026-03-14\"}}");
        assertEquals(Optional.empty(), s.latestSlotAtOrBefore(at("2026-03-10T06:29:59Z")));
        assertEquals(Optional.of(at("2026-03-10T06:30:00Z")), s.nextSlotAfter(at("2026-03-01T00:00:00Z")));
        assertEquals(Optional.of(at("2026-03-12T06:30:00Z")), s.nextSlotAfter(at("2026-03-10T06:30:00Z")));
        // 2026-03-14T06:30 is after the end date: no more slots
        assertEquals(Optional.empty(), s.nextSlotAfter(at("2026-03-12T06:30:00Z")));
        assertEquals(Optional.empty(), FirePlan.due(s, at("2026-03-12T06:30:00Z"), at("2026-04-01T00:00:00Z")));
    }

    @Test
    void weeklyIntervalFiresOnMondayMidnightUtc() {
        Schedule s = parse("{\"type\":\"interval\",\"schedule\":{\"interval\":{\"quantity\":1,\"unit\":\"week\"}}}");
        assertEquals(Optional.of(at("2026-03-02T00:00:00Z")), s.nextSlotAfter(at("2026-02-26T12:00:00Z")));
    }

    @Test
    void visualScheduleFiresOnChosenDaysAtLocalTime() {
        Schedule s = parse("{\"type\":\"visual\",\"schedule\":{\"timezone\":\"Europe/Berlin\",\"expressions\":["
                + "{\"days\":{\"monday\":true,\"wednesday\":true,\"friday\":false},\"time\":\"09:00\"}]}}");
        // Friday 2026-01-09: next is Monday 2026-01-12 09:00 Berlin = 08:00 UTC
        assertEquals(Optional.of(at("2026-01-12T08:00:00Z")), s.nextSlotAfter(at("2026-01-09T12:00:00Z")));
        assertEquals(Optional.of(at("2026-01-14T08:00:00Z")), s.nextSlotAfter(at("2026-01-12T08:00:00Z")));
        assertEquals(Optional.of(at("2026-01-12T08:00:00Z")),
                FirePlan.due(s, at("2026-01-09T12:00:00Z"), at("2026-01-12T08:00:01Z")));
    }

    @Test
    void visualScheduleKeepsWallClockTimeAcrossDaylightSavingChanges() {
        Schedule s = parse("{\"type\":\"visual\",\"schedule\":{\"expressions\":[{\"days\":{\"saturday\":true,"
                + "\"sunday\":true,\"monday\":true},\"time\":\"09:00\"}]},\"timezone\":\"America/New_York\"}");
        // US DST starts Sunday 2026-03-08: 09:00 EST = 14:00Z before, 09:00 EDT = 13:00Z after
        assertEquals(Optional.of(at("2026-03-07T14:00:00Z")), s.nextSlotAfter(at("2026-03-07T00:00:00Z")));
        assertEquals(Optional.of(at("2026-03-08T13:00:00Z")), s.nextSlotAfter(at("2026-03-07T14:00:00Z")));
        assertEquals(Optional.of(at("2026-03-09T13:00:00Z")), s.nextSlotAfter(at("2026-03-08T13:00:00Z")));
    }

    @Test
    void visualTimeInsideTheSpringGapFiresOnceAfterTheGap() {
        Schedule s = parse("{\"type\":\"visual\",\"schedule\":{\"timezone\":\"Europe/Berlin\",\"expressions\":["
                + "{\"days\":{\"sunday\":true},\"time\":\"02:30\"}]}}");
        // 2026-03-29 02:30 does not exist in Berlin; it fires at 03:30 CEST = 01:30Z, once
        assertEquals(Optional.of(at("2026-03-29T01:30:00Z")), s.nextSlotAfter(at("2026-03-28T00:00:00Z")));
        assertEquals(Optional.of(at("2026-04-05T00:30:00Z")), s.nextSlotAfter(at("2026-03-29T01:30:00Z")));
    }

    @Test
    void visualTimeInsideTheAutumnOverlapFiresOnce() {
        Schedule s = parse("{\"type\":\"visual\",\"schedule\":{\"timezone\":\"Europe/Berlin\",\"expressions\":["
                + "{\"days\":{\"sunday\":true},\"time\":\"02:30\"}]}}");
        // 2026-10-25 02:30 happens twice in Berlin; only the first (CEST, 00:30Z) fires
        Instant first = s.nextSlotAfter(at("2026-10-24T00:00:00Z")).orElseThrow();
        assertEquals(at("2026-10-25T00:30:00Z"), first);
        assertEquals(Optional.of(at("2026-11-01T01:30:00Z")), s.nextSlotAfter(first));
        assertEquals(Optional.empty(), FirePlan.due(s, first, at("2026-10-25T01:30:00Z")));
    }

    @Test
    void cronIsEvaluatedInUtc() {
        Schedule s = parse("{\"type\":\"cron\",\"schedule\":{\"expression\":\"30 6 * * 1-5\"}}");
        assertEquals(Optional.of(at("2026-01-12T06:30:00Z")), s.nextSlotAfter(at("2026-01-09T06:30:00Z")));
        assertEquals(Optional.of(at("2026-01-09T06:30:00Z")), s.latestSlotAtOrBefore(at("2026-01-09T06:30:00Z")));
        assertEquals(Optional.of(at("2026-01-09T06:30:00Z")),
                FirePlan.due(s, at("2026-01-08T06:30:00Z"), at("2026-01-10T12:00:00Z")));
    }

    @Test
    void invalidCronIsNamedInTheProblems() throws Exception {
        List<String> problems = problems("{\"type\":\"cron\",\"schedule\":{\"expression\":\"61 * * * *\"}}");
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith("schedule.schedule.expression: \"61 * * * *\" is not a valid 5-field cron"),
                problems.get(0));
        assertEquals(1, problems("{\"type\":\"cron\",\"schedule\":{\"expression\":\"0 0 * * * *\"}}").size());
    }

    @Test
    void everyProblemIsReportedAtOnce() throws Exception {
        List<String> problems = problems("{\"type\":\"interval\",\"schedule\":{\"interval\":{\"quantity\":0,"
                + "\"unit\":\"fortnight\"},\"startDate\":\"soon\"}}");
        assertEquals(3, problems.size(), problems.toString());
        assertEquals(1, problems("{\"type\":\"visual\",\"schedule\":{\"timezone\":\"Mars/Olympus\","
                + "\"expressions\":[{\"days\":{\"monday\":true},\"time\":\"09:00\"}]}}").size());
        assertEquals(2, problems("{\"type\":\"dbt\",\"schedule\":{}}").size());
        assertEquals(1, problems("{\"type\":\"hourly\"}").size());
    }

    @Test
    void dbtAndFivetranSchedulesNameTheirJobAndNeverFireOnTime() {
        Schedule dbt = parse("{\"type\":\"dbt\",\"schedule\":{\"account\":{\"id\":70403},\"job\":{\"id\":\"48211\"}}}");
        assertEquals(new Schedule.DbtJob("70403", "48211"), dbt);
        Schedule fivetran = parse("{\"type\":\"fivetran\",\"schedule\":{\"connectorId\":\"quietly_grateful\"}}");
        assertEquals(new Schedule.FivetranConnector("quietly_grateful"), fivetran);
        assertEquals(Optional.empty(), FirePlan.due(dbt, Instant.EPOCH, Instant.now()));
    }

    @Test
    void anIntervalIsAtMostAYearSoItsSlotsNeverOverflow() throws Exception {
        for (String interval : List.of("{\"quantity\":9000000000000000,\"unit\":\"week\"}", "{\"quantity\":53,\"unit\":\"week\"}",
                "{\"quantity\":367,\"unit\":\"day\"}", "{\"quantity\":8785,\"unit\":\"hour\"}",
                "{\"quantity\":527041,\"unit\":\"minute\"}", "{\"quantity\":0,\"unit\":\"minute\"}",
                "{\"quantity\":2.5,\"unit\":\"hour\"}", "{\"quantity\":\"5\",\"unit\":\"hour\"}")) {
            List<String> problems = problems("{\"type\":\"interval\",\"schedule\":{\"interval\":" + interval + "}}");
            assertTrue(problems.stream().anyMatch(p -> p.startsWith("schedule.schedule.interval.quantity: ")), interval + ": " + problems);
        }
        Schedule year = parse("{\"type\":\"interval\",\"schedule\":{\"interval\":{\"quantity\":366,\"unit\":\"day\"}}}");
        assertTrue(FirePlan.nextCheck(year, at("2026-03-01T10:00:00Z")).isPresent());
    }

    @Test
    void scheduleDatesOutsideTheYears1900To9999AreRefused() throws Exception {
        for (String date : List.of("-999999999-01-01T00:00:00Z", "+1000000-01-01T00:00:00Z", "1899-12-31")) {
            List<String> problems = problems("{\"type\":\"interval\",\"schedule\":{\"interval\":{\"quantity\":1,"
                    + "\"unit\":\"minute\"},\"startDate\":\"" + date + "\"}}");
            assertTrue(problems.stream().anyMatch(p -> p.startsWith("schedule.startDate: ")), date + ": " + problems);
        }
    }
}
