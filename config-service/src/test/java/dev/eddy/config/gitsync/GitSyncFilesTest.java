package dev.eddy.config.gitsync;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GitSyncFilesTest {

    @Test
    void modelFileWithMissingPrimaryKeyIsReportedAtItsParentLineOne() throws Exception {
        List<FileProblem> problems = new ArrayList<>();
        GitSyncFiles.model("m.yaml", "m", GitSyncFiles.parse("name: M\nsource: wh\ntype: table\ntableName: users\n"), problems);
        assertEquals(List.of(new FileProblem("m.yaml", 1, "primaryKey is required")), problems);
    }

    @Test
    void misspeltKeysAreReportedAtTheirLinesWithTheKeyMeant() throws Exception {
        List<FileProblem> problems = new ArrayList<>();
        GitSyncFiles.model("m.yaml", "m", GitSyncFiles.parse(
                "name: M\nsource: wh\ntype: table\ntableName: users\nprimaryKey: id\ndescription: kept\nprimaryKee: id\n"), problems);
        assertEquals(List.of(new FileProblem("m.yaml", 7, "primaryKee: unknown setting; did you mean primaryKey?")), problems);

        problems.clear();
        GitSyncFiles.sync("s.yaml", "s", GitSyncFiles.parse("""
                model: a
                destination: b
                description: kept
                config:
                  configVersion: 2
                  deleteBehaviour: delete
                  mappings:
                    - from: id
                      to: id
                    - frm: email
                      to: email
                schedule:
                  type: interval
                  schedule:
                    interval: {quantity: 1, unit: hour}
                    timezone: UTC
                """), problems);
        assertEquals(List.of(
                new FileProblem("s.yaml", 6, "config.deleteBehaviour: unknown setting; did you mean deleteBehavior?"),
                new FileProblem("s.yaml", 10, "config.mappings[1].frm: unknown setting; did you mean from?"),
                new FileProblem("s.yaml", 16, "schedule.schedule.timezone: unknown setting; known: startDate, endDate, interval")),
                problems);
    }

    @Test
    void wrongTypeIsReportedOnItsLine() throws Exception {
        List<FileProblem> problems = new ArrayList<>();
        GitSyncFiles.model("m.yaml", "m", GitSyncFiles.parse("name: M\nsource: wh\ntype: view\nprimaryKey: id\n"), problems);
        assertEquals(3, problems.get(0).line());
    }

    @Test
    void dbtModelIsReportedAsNotSupportedRatherThanStoredUnrunnable() throws Exception {
        List<FileProblem> problems = new ArrayList<>();
        GitSyncFiles.model("m.yaml", "m", GitSyncFiles.parse(
                "name: M\nsource: wh\ntype: dbt_model\ndbtModel: model.shop.users\nprimaryKey: id\n"), problems);
        assertTrue(problems.get(0).reason().contains("dbt_model is not supported"));
    }

    @Test
    void unparsableYamlNamesTheLine() {
        GitSyncFiles.UnreadableFileException e = assertThrows(GitSyncFiles.UnreadableFileException.class,
                () -> GitSyncFiles.parse("model: a\ndestination: b\nconfig: {mode: upsert\n"));
        assertTrue(e.line() >= 3, "line " + e.line());
    }

    @Test
    void schedulePausedAndDisabledAreReadApartAndAnOldFileWithoutDisabledLeavesItUnset() throws Exception {
        List<FileProblem> problems = new ArrayList<>();
        SyncDocument both = GitSyncFiles.sync("s.yaml", "s", GitSyncFiles.parse(
                "model: a\ndestination: b\nschedulePaused: false\ndisabled: true\n"), problems);
        assertFalse(both.schedulePaused());
        assertEquals(Boolean.TRUE, both.disabled());
        // written before Eddy told the two apart: schedulePaused only, now meaning what it says
        SyncDocument old = GitSyncFiles.sync("s.yaml", "s", GitSyncFiles.parse(
                "model: a\ndestination: b\nschedulePaused: true\n"), problems);
        assertTrue(old.schedulePaused());
        assertNull(old.disabled());
        GitSyncFiles.sync("s.yaml", "s", GitSyncFiles.parse("model: a\ndestination: b\ndisabled: maybe\n"), problems);
        assertEquals(List.of(new FileProblem("s.yaml", 3, "disabled must be true or false")), problems);
    }

    @Test
    void syncConfigModeIsCheckedOnItsNestedLine() throws Exception {
        List<FileProblem> problems = new ArrayList<>();
        GitSyncFiles.sync("s.yaml", "s", GitSyncFiles.parse("model: a\ndestination: b\nconfig:\n  object: x\n  mode: merge\n"), problems);
        assertEquals(5, problems.get(0).line());
    }

    @Test
    void invalidCronInASyncFileIsReportedWithTheSchedulersOwnReason() throws Exception {
        List<FileProblem> problems = new ArrayList<>();
        GitSyncFiles.sync("s.yaml", "s", GitSyncFiles.parse("model: a\ndestination: b\nconfig:\n  mode: upsert\n"
                + "schedule:\n  type: cron\n  schedule:\n    expression: \"61 * * * *\"\n"), problems);
        assertEquals(1, problems.size(), problems.toString());
        assertEquals(5, problems.get(0).line());
        assertTrue(problems.get(0).reason().startsWith("schedule.schedule.expression: \"61 * * * *\" is not a valid 5-field cron"),
                problems.get(0).reason());
    }

    @Test
    void writingKeepsUnknownKeysAndTheirPlaceAndReplacesKnownOnes() throws Exception {
        ObjectNode previous = GitSyncFiles.parse("model: old\ndescription: keep me\ndestination: d\nx-team: growth\n").tree();
        ObjectNode config = JsonNodeFactory.instance.objectNode().put("mode", "upsert");
        config.putArray("customMappings").addObject().put("from", "a").put("to", "b");
        String text = GitSyncFiles.write(new SyncDocument("s", "new", "d", config,
                JsonNodeFactory.instance.objectNode().put("type", "manual"), true, false, Instant.now()), previous);
        ObjectNode written = GitSyncFiles.parse(text).tree();
        assertEquals("new", written.get("model").asText());
        assertEquals("keep me", written.get("description").asText());
        assertEquals("growth", written.get("x-team").asText());
        assertEquals("b", written.at("/config/customMappings/0/to").asText());
        assertTrue(written.get("schedulePaused").asBoolean());
        assertFalse(written.get("disabled").asBoolean());
        assertTrue(text.indexOf("description") < text.indexOf("destination"), text);
    }

    @Test
    void modelRoundTripsThroughItsFile() throws Exception {
        ModelDocument m = new ModelDocument("users", "Users", "wh", "raw_sql", "SELECT id,\n  email\nFROM users", null, null, "id", null);
        List<FileProblem> problems = new ArrayList<>();
        ModelDocument read = GitSyncFiles.model("f", "users", GitSyncFiles.parse(GitSyncFiles.write(m, null)), problems);
        assertEquals(List.of(), problems);
        assertEquals(m, read);
    }

    @Test
    void onlyModelAndSyncFilesAreObjects() {
        assertEquals(new GitSyncFiles.ObjectPath(GitSyncKind.SYNC, "a-b"), GitSyncFiles.objectPath("syncs/a-b.yml"));
        assertNull(GitSyncFiles.objectPath("manifest.yaml"));
        assertNull(GitSyncFiles.objectPath("models/nested/x.yaml"));
    }
}
