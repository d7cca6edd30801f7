package dev.eddy.config.api;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.avro.TriggerEvent;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.KafkaSettings;
import dev.eddy.testsupport.EddyInfrastructureResource;
import dev.eddy.testsupport.SharedInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static dev.eddy.config.api.Fixtures.api;
import static dev.eddy.config.api.Fixtures.finishRun;
import static dev.eddy.config.api.Fixtures.newSync;
import static dev.eddy.config.api.Fixtures.unique;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sync sequences over the real API, broker and database; the test plays the rest of the suite by publishing
 * each step's run events, so every failure policy is driven to its outcome.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class SyncSequencesTest {

    @Test
    void createReadPatchAndValidate() {
        String a = newSync();
        String b = newSync();
        String slug = unique("nightly");
        JsonPath created = api().body(Map.of("name", "Nightly", "slug", slug,
                        "schedule", Map.of("type", "cron", "schedule", Map.of("expression", "0 2 * * *")),
                        "steps", List.of(Map.of("syncId", a), Map.of("syncId", b, "failurePolicy", "never"))))
                .post("/api/v1/sync-sequences").then().statusCode(201).extract().jsonPath();
        String id = created.getString("id");
        assertEquals("stop_on_fatal", created.getString("steps[0].failurePolicy"), "the default policy");
        assertEquals("never", created.getString("steps[1].failurePolicy"));
        api().get("/api/v1/sync-sequences?slug=" + slug).then().statusCode(200).body("data[0].id", equalTo(id));

        api().body(Map.of("steps", List.of(Map.of("syncId", b)), "schedulePaused", true))
                .patch("/api/v1/sync-sequences/" + id).then().statusCode(200)
                .body("steps.size()", equalTo(1)).body("steps[0].syncId", equalTo(b))
                .body("schedulePaused", equalTo(true)).body("schedule.schedule.expression", equalTo("0 2 * * *"));

        // every problem at once, each naming its field
        api().body(Map.of("slug", slug, "schedule", Map.of("type", "cron", "schedule", Map.of("expression", "61 * * * *")),
                        "steps", List.of(Map.of("syncId", "999999999"), Map.of("syncId", a, "failurePolicy", "sometimes"))))
                .post("/api/v1/sync-sequences").then().statusCode(422)
                .body("details.name", equalTo("is required"))
                .body("details.slug", equalTo("slug is already used"))
                .body("details.'schedule.schedule.expression'", containsString("61 * * * *"))
                .body("details.'steps[0].syncId'", equalTo("no sync with id 999999999"))
                .body("details.'steps[1].failurePolicy'", containsString("stop_on_fatal_or_rejected"));
        api().body(Map.of("name", "Empty", "slug", unique("empty"), "steps", List.of()))
                .post("/api/v1/sync-sequences").then().statusCode(422).body("details.steps", containsString("non-empty"));

        // a sync that is a step cannot be deleted from under its sequence
        api().delete("/api/v1/syncs/" + b).then().statusCode(409).body("details.syncSequences[0]", equalTo(id));
        api().delete("/api/v1/sync-sequences/" + id).then().statusCode(204);
        api().get("/api/v1/sync-sequences/" + id).then().statusCode(404);
        api().delete("/api/v1/syncs/" + b).then().statusCode(204);
    }

    @Test
    void stepsRunInOrderAndTheSequenceIsDone() {
        String a = newSync();
        String b = newSync();
        String sequence = sequence(a, "stop_on_fatal", b, "stop_on_fatal");
        String run = trigger(sequence);

        JsonPath first = awaitStep(run, 0, "queued");
        assertEquals("running", first.getString("status"));
        assertEquals(a, first.getString("syncRuns[0].syncId"));
        assertNull(first.getString("syncRuns[1].syncRunId"), "the second step waits for the first");
        assertEquals("pending", first.getString("syncRuns[1].status"));
        String runA = first.getString("syncRuns[0].syncRunId");
        api().get("/api/v1/syncs/" + a + "/runs?runId=" + runA).then().statusCode(200).body("data[0].status", equalTo("queued"));

        finishRun(a, runA, RunStatus.success);
        JsonPath second = awaitStep(run, 1, "queued");
        assertEquals("success", second.getString("syncRuns[0].status"));
        finishRun(b, second.getString("syncRuns[1].syncRunId"), RunStatus.success);

        JsonPath done = awaitStatus(run, "done");
        assertEquals("success", done.getString("syncRuns[1].status"));
        assertTrue(done.getString("finishedAt") != null);
        api().get("/api/v1/sync-sequences/" + sequence + "/runs").then().statusCode(200).body("data[0].id", equalTo(run));
    }

    @Test
    void stopOnFatalStopsAtAFailedStepAndSkipsTheRest() {
        String a = newSync();
        String b = newSync();
        String run = trigger(sequence(a, "stop_on_fatal", b, "stop_on_fatal"));
        finishRun(a, awaitStep(run, 0, "queued").getString("syncRuns[0].syncRunId"), RunStatus.failed);

        JsonPath failed = awaitStatus(run, "failed");
        assertEquals("failed", failed.getString("syncRuns[0].status"));
        assertEquals("skipped", failed.getString("syncRuns[1].status"));
        assertNull(failed.getString("syncRuns[1].syncRunId"), "the second sync never ran");
        assertTrue(failed.getString("error").contains("step 1 (sync " + a + ") ended failed"), failed.getString("error"));
        api().get("/api/v1/syncs/" + b + "/runs").then().statusCode(200).body("data.size()", equalTo(0));
    }

    @Test
    void stopOnFatalGoesOnPastRejectedRowsButStopOnFatalOrRejectedStops() {
        String a = newSync();
        String b = newSync();
        String lenient = trigger(sequence(a, "stop_on_fatal", b, "stop_on_fatal"));
        finishRun(a, awaitStep(lenient, 0, "queued").getString("syncRuns[0].syncRunId"), RunStatus.warning, 2);
        finishRun(b, awaitStep(lenient, 1, "queued").getString("syncRuns[1].syncRunId"), RunStatus.success);
        assertEquals("warning", awaitStatus(lenient, "done").getString("syncRuns[0].status"));

        String c = newSync();
        String d = newSync();
        String strict = trigger(sequence(c, "stop_on_fatal_or_rejected", d, "stop_on_fatal"));
        finishRun(c, awaitStep(strict, 0, "queued").getString("syncRuns[0].syncRunId"), RunStatus.warning, 2);
        JsonPath failed = awaitStatus(strict, "failed");
        assertTrue(failed.getString("error").contains("2 rejected row(s)"), failed.getString("error"));
        assertEquals("skipped", failed.getString("syncRuns[1].status"));
    }

    @Test
    void neverGoesOnAfterAFatalStep() {
        String a = newSync();
        String b = newSync();
        String run = trigger(sequence(a, "never", b, "stop_on_fatal"));
        finishRun(a, awaitStep(run, 0, "queued").getString("syncRuns[0].syncRunId"), RunStatus.failed);
        finishRun(b, awaitStep(run, 1, "queued").getString("syncRuns[1].syncRunId"), RunStatus.success);
        JsonPath done = awaitStatus(run, "done");
        assertEquals("failed", done.getString("syncRuns[0].status"));
        assertEquals("success", done.getString("syncRuns[1].status"));
    }

    @Test
    void aSequenceNeverRunsAtTheSameTimeAsItself() {
        String a = newSync();
        String b = newSync();
        String sequence = sequence(a, "stop_on_fatal", b, "stop_on_fatal");
        String first = trigger(sequence);
        String queued = trigger(sequence);
        assertNotEquals(first, queued);
        assertEquals(queued, trigger(sequence), "a trigger while one is pending answers the pending run");
        api().get("/api/v1/sync-sequences/runs/" + queued).then().statusCode(200).body("status", equalTo("pending"))
                .body("startedAt", equalTo(null));

        finishRun(a, awaitStep(first, 0, "queued").getString("syncRuns[0].syncRunId"), RunStatus.success);
        finishRun(b, awaitStep(first, 1, "queued").getString("syncRuns[1].syncRunId"), RunStatus.success);
        awaitStatus(first, "done");
        // the pending run starts once the first has ended
        JsonPath started = awaitStep(queued, 0, "queued");
        assertEquals("running", started.getString("status"));
    }

    @Test
    void aDisabledStepIsAFatalErrorWithItsReason() {
        String a = newSync();
        String b = newSync();
        api().body(Map.of("disabled", true)).patch("/api/v1/syncs/" + a).then().statusCode(200);
        JsonPath failed = awaitStatus(trigger(sequence(a, "stop_on_fatal", b, "stop_on_fatal")), "failed");
        assertTrue(failed.getString("syncRuns[0].error").contains("the sync is disabled"), failed.getString("syncRuns[0].error"));
    }

    @Test
    void aScheduledTriggerOnTheTopicStartsOneRunEvenWhenRedelivered() {
        String a = newSync();
        String sequence = api().body(Map.of("name", "Hourly", "slug", unique("hourly"),
                        "schedule", Map.of("type", "interval", "schedule", Map.of("interval", Map.of("quantity", 1, "unit", "hour"))),
                        "steps", List.of(Map.of("syncId", a))))
                .post("/api/v1/sync-sequences").then().statusCode(201).extract().path("id");
        TriggerEvent trigger = TriggerEvent.newBuilder().setTriggerId("schedule:sequence:" + sequence + ":" + UUID.randomUUID())
                .setSource("schedule").setSequenceId(sequence).setRequestedAt(Instant.now()).build();
        try (EventPublisher publisher = new EventPublisher(KafkaSettings.producer(
                SharedInfrastructure.broker().bootstrapServers(), Optional.empty(), "sequence-test"))) {
            publisher.sendAndWait(Topics.TRIGGERS, "sequence:" + sequence, trigger);
            publisher.sendAndWait(Topics.TRIGGERS, "sequence:" + sequence, trigger);
        }
        List<Map<String, Object>> runs = await().atMost(Duration.ofSeconds(30)).until(() -> api()
                .get("/api/v1/sync-sequences/" + sequence + "/runs").then().statusCode(200).extract().jsonPath()
                .<Map<String, Object>>getList("data"), l -> !l.isEmpty());
        assertEquals("schedule", runs.get(0).get("trigger"));
        String runA = awaitStep((String) runs.get(0).get("id"), 0, "queued").getString("syncRuns[0].syncRunId");
        api().get("/api/v1/syncs/" + a + "/runs?runId=" + runA).then().body("data[0].status", equalTo("queued"));
        // the redelivered trigger added no second run
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).until(() -> api()
                .get("/api/v1/sync-sequences/" + sequence + "/runs").then().extract().jsonPath().getList("data").size() == 1);
    }

    @Test
    void unknownSequenceAndRunAre404() {
        api().post("/api/v1/sync-sequences/987654321/trigger").then().statusCode(404);
        api().get("/api/v1/sync-sequences/runs/987654321").then().statusCode(404);
    }

    private static String sequence(String first, String firstPolicy, String second, String secondPolicy) {
        return api().body(Map.of("name", "Sequence", "slug", unique("seq"),
                        "steps", List.of(Map.of("syncId", first, "failurePolicy", firstPolicy),
                                Map.of("syncId", second, "failurePolicy", secondPolicy))))
                .post("/api/v1/sync-sequences").then().statusCode(201).extract().path("id");
    }

    private static String trigger(String sequence) {
        return api().post("/api/v1/sync-sequences/" + sequence + "/trigger").then().statusCode(200).extract().path("id");
    }

    private static JsonPath run(String runId) {
        return api().get("/api/v1/sync-sequences/runs/" + runId).then().statusCode(200).extract().jsonPath();
    }

    /** The run once step {@code index} has a sync run in this status. */
    private static JsonPath awaitStep(String runId, int index, String status) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> run(runId),
                r -> status.equals(r.getString("syncRuns[" + index + "].status")) && r.getString("syncRuns[" + index + "].syncRunId") != null);
    }

    private static JsonPath awaitStatus(String runId, String status) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> run(runId), r -> status.equals(r.getString("status")));
    }
}
