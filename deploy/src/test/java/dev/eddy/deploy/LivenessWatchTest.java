package dev.eddy.deploy;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.eddy.deploy.LivenessWatch.Answer.DOWN;
import static dev.eddy.deploy.LivenessWatch.Answer.NONE;
import static dev.eddy.deploy.LivenessWatch.Answer.UP;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LivenessWatchTest {

    private static final long S = 1_000_000_000L;

    private static LivenessWatch watch() {
        return new LivenessWatch(3, Duration.ofSeconds(10), Duration.ofSeconds(180), 0);
    }

    @Test
    void threeDownAnswersInARowOverTenSecondsRestart() {
        LivenessWatch watch = watch();
        assertFalse(watch.observe(UP, 20 * S));
        assertFalse(watch.observe(DOWN, 25 * S));
        assertFalse(watch.observe(DOWN, 30 * S));
        assertTrue(watch.observe(DOWN, 35 * S));
    }

    @Test
    void anUpAnswerStartsTheCountAgainAndNoAnswerChangesNothing() {
        LivenessWatch watch = watch();
        watch.observe(UP, 20 * S);
        watch.observe(DOWN, 25 * S);
        watch.observe(DOWN, 30 * S);
        assertFalse(watch.observe(UP, 35 * S));
        assertFalse(watch.observe(DOWN, 40 * S));
        assertFalse(watch.observe(NONE, 45 * S));
        assertFalse(watch.observe(DOWN, 50 * S));
        assertTrue(watch.observe(DOWN, 55 * S));
    }

    @Test
    void downAnswersInQuickSuccessionAreNotEnough() {
        LivenessWatch watch = watch();
        watch.observe(UP, 20 * S);
        assertFalse(watch.observe(DOWN, 21 * S));
        assertFalse(watch.observe(DOWN, 22 * S));
        assertFalse(watch.observe(DOWN, 23 * S));
        assertTrue(watch.observe(DOWN, 31 * S));
    }

    @Test
    void nothingCountsDuringStartUpUntilTheServiceWasUpOrTheGracePassed() {
        LivenessWatch watch = watch();
        for (int t = 1; t < 180; t += 5) {
            assertFalse(watch.observe(DOWN, t * S), "start-up at " + t + " s");
        }
        assertTrue(watch.starting());
        assertFalse(watch.observe(DOWN, 181 * S));
        assertFalse(watch.observe(DOWN, 186 * S));
        assertTrue(watch.observe(DOWN, 191 * S), "a service dead since its start is restarted after the grace");

        watch.restarted(200 * S);
        assertTrue(watch.starting());
        assertFalse(watch.observe(DOWN, 205 * S));
        assertFalse(watch.observe(UP, 210 * S));
        assertFalse(watch.starting());
    }
}
