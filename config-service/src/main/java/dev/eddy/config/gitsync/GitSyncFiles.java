package dev.eddy.config.gitsync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.eddy.contracts.schedule.ScheduleValidator;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.contracts.validation.KnownKeys;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes Hightouch's Git Sync files ({@code models/<slug>.yaml}, {@code syncs/<slug>.yaml}). Pure: no
 * Git, no database. Writing merges into the file's previous content, so keys Eddy does not read but tolerates (e.g.
 * {@code description}, {@code customMappings}) stay where they were; any other key is a file problem.
 */
public final class GitSyncFiles {

    /** Model types Eddy can run; {@code dbt_model} is part of the schema but needs the dbt integration. */
    static final Set<String> MODEL_TYPES = Set.of("raw_sql", "table", "dbt_model");
    static final Set<String> MODES = Set.of("upsert", "insert", "update");
    static final Set<String> DELETE_BEHAVIORS = Set.of("do_nothing", "clear_fields", "delete");
    /** A model file's keys, as {@link #model} reads them; {@code description} (Hightouch's) is kept, not read. */
    static final KnownKeys MODEL_KEYS = KnownKeys.of("name", "source", "type", "dbtModel", "rawSql", "tableName", "isSchema",
            "primaryKey").tolerating("description");
    /**
     * A sync file's keys, as {@link #sync} reads them: {@code config} holds a sync configuration's keys
     * ({@link SyncSpec#CONFIGURATION_KEYS}), {@code schedule} its type's; {@code description} is kept, not read.
     */
    static final KnownKeys SYNC_KEYS = KnownKeys.of("model", "destination", "schedule", "schedulePaused", "disabled")
            .with("config", SyncSpec.CONFIGURATION_KEYS).tolerating("description");

    private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .build());

    private GitSyncFiles() {
    }

    /** A parsed file: its tree, and the 1-based line of each key by dotted path ({@code config.mode}). */
    public record Parsed(ObjectNode tree, Map<String, Integer> lines) {

        /** The line of the key, else of its nearest parent, else 1. */
        public int line(String path) {
            String p = path;
            while (true) {
                Integer line = lines.get(p);
                if (line != null) {
                    return line;
                }
                int dot = p.lastIndexOf('.');
                if (dot < 0) {
                    return 1;
                }
                p = p.substring(0, dot);
            }
        }
    }

    /** Thrown when a file is not a YAML mapping; carries the line. */
    public static final class UnreadableFileException extends Exception {
        private final int line;

        UnreadableFileException(int line, String reason) {
            super(reason);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    /** Parses YAML text into a mapping with key lines. */
    public static Parsed parse(String text) throws UnreadableFileException {
        JsonNode tree;
        try {
            tree = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getLineNr());
            throw new UnreadableFileException(line, "not valid YAML: " + e.getOriginalMessage());
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new UnreadableFileException(1, "the file is empty");
        }
        if (!tree.isObject()) {
            throw new UnreadableFileException(1, "must be a YAML mapping of keys to values");
        }
        Map<String, Integer> lines = new HashMap<>();
        try {
            LoaderOptions options = new LoaderOptions();
            Node root = new Yaml(options).compose(new StringReader(text));
            collectLines(root, "", lines);
        } catch (RuntimeException e) {
            // Jackson read it; SnakeYAML's composer is only here for line numbers, so a mismatch just loses them
        }
        return new Parsed((ObjectNode) tree, lines);
    }

    private static void collectLines(Node node, String prefix, Map<String, Integer> lines) {
        if (node instanceof SequenceNode sequence) {
            // list items by index, so a problem in config.mappings[1] is reported at its own line
            for (int i = 0; i < sequence.getValue().size(); i++) {
                Node item = sequence.getValue().get(i);
                lines.putIfAbsent(prefix + "[" + i + "]", item.getStartMark().getLine() + 1);
                collectLines(item, prefix + "[" + i + "]", lines);
            }
            return;
        }
        if (!(node instanceof MappingNode mapping)) {
            return;
        }
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode key) {
                String path = prefix.isEmpty() ? key.getValue() : prefix + "." + key.getValue();
                lines.putIfAbsent(path, key.getStartMark().getLine() + 1);
                collectLines(tuple.getValueNode(), path, lines);
            }
        }
    }

    /** Reads a model file's known fields; problems (missing or wrong keys) are added to the list. */
    public static ModelDocument model(String file, String slug, Parsed p, List<FileProblem> problems) {
        ObjectNode t = p.tree();
        unknownKeys(file, p, MODEL_KEYS, problems);
        String name = text(file, p, "name", problems, true);
        String source = text(file, p, "source", problems, true);
        String type = text(file, p, "type", problems, true);
        String rawSql = text(file, p, "rawSql", problems, false);
        String tableName = text(file, p, "tableName", problems, false);
        String dbtModel = text(file, p, "dbtModel", problems, false);
        String primaryKey = text(file, p, "primaryKey", problems, true);
        if (type != null && !MODEL_TYPES.contains(type)) {
            problems.add(new FileProblem(file, p.line("type"), "type must be one of raw_sql, table, dbt_model"));
        } else if ("raw_sql".equals(type) && rawSql == null) {
            problems.add(new FileProblem(file, p.line("rawSql"), "rawSql is required when type is raw_sql"));
        } else if ("table".equals(type) && tableName == null) {
            problems.add(new FileProblem(file, p.line("tableName"), "tableName is required when type is table"));
        } else if ("dbt_model".equals(type)) {
            problems.add(new FileProblem(file, p.line("type"),
                    "type dbt_model is not supported by Eddy yet (no dbt integration); use raw_sql or table"));
        }
        JsonNode isSchema = t.get("isSchema");
        if (isSchema != null && !isSchema.isNull() && !(isSchema.isBoolean() && !isSchema.asBoolean())) {
            problems.add(new FileProblem(file, p.line("isSchema"), "isSchema must be false"));
        }
        return new ModelDocument(slug, name, source, type, "raw_sql".equals(type) ? rawSql : null,
                "table".equals(type) ? tableName : null, dbtModel, primaryKey, null);
    }

    /** Reads a sync file's known fields; problems are added to the list. */
    public static SyncDocument sync(String file, String slug, Parsed p, List<FileProblem> problems) {
        ObjectNode t = p.tree();
        unknownKeys(file, p, SYNC_KEYS, problems);
        String model = text(file, p, "model", problems, true);
        String destination = text(file, p, "destination", problems, true);
        ObjectNode config = JsonNodeFactory.instance.objectNode();
        JsonNode c = t.get("config");
        if (c != null && !c.isNull()) {
            if (c.isObject()) {
                config = ((ObjectNode) c).deepCopy();
                checkChoice(file, p, config, "mode", MODES, problems);
                checkChoice(file, p, config, "deleteBehavior", DELETE_BEHAVIORS, problems);
                JsonNode mappings = config.get("mappings");
                if (mappings != null && !mappings.isNull() && !mappings.isArray()) {
                    problems.add(new FileProblem(file, p.line("config.mappings"), "config.mappings must be a list"));
                }
            } else {
                problems.add(new FileProblem(file, p.line("config"), "config must be a mapping"));
            }
        }
        ObjectNode schedule = JsonNodeFactory.instance.objectNode().put("type", "manual").putNull("schedule");
        JsonNode s = t.get("schedule");
        if (s != null && !s.isNull()) {
            if (s.isObject() && s.path("type").isTextual()) {
                schedule = ((ObjectNode) s).deepCopy();
                if (!schedule.has("schedule")) {
                    schedule.putNull("schedule");
                }
                // the scheduler's own rules, so an invalid cron in Git is reported here, not skipped at fire time
                for (String problem : ScheduleValidator.problems(schedule)) {
                    problems.add(new FileProblem(file, p.line("schedule"), problem));
                }
                for (String problem : ScheduleValidator.unknownKeys((ObjectNode) s)) {
                    problems.add(new FileProblem(file, p.line(problem.substring(0, problem.indexOf(": "))), problem));
                }
            } else {
                problems.add(new FileProblem(file, p.line("schedule"), "schedule must be a mapping with a type"));
            }
        }
        Boolean paused = bool(file, p, "schedulePaused", problems);
        Boolean disabled = bool(file, p, "disabled", problems);
        return new SyncDocument(slug, model, destination, config, schedule, Boolean.TRUE.equals(paused), disabled, null);
    }

    /** Each key of the file {@code shape} neither reads nor tolerates, at its own line. */
    private static void unknownKeys(String file, Parsed p, KnownKeys shape, List<FileProblem> problems) {
        for (KnownKeys.UnknownKey u : shape.unknown(p.tree(), "")) {
            problems.add(new FileProblem(file, p.line(u.path()), u.path() + ": " + u.message()));
        }
    }

    /** An optional true/false key; null when absent or null. */
    private static Boolean bool(String file, Parsed p, String key, List<FileProblem> problems) {
        JsonNode value = p.tree().get(key);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            problems.add(new FileProblem(file, p.line(key), key + " must be true or false"));
            return null;
        }
        return value.asBoolean();
    }

    /** The model file's text: the previous content with the known keys replaced (new files in Hightouch's key order). */
    public static String write(ModelDocument m, ObjectNode previous) {
        ObjectNode out = previous == null ? JsonNodeFactory.instance.objectNode() : previous.deepCopy();
        out.put("name", m.name());
        out.put("source", m.source());
        out.put("type", m.type());
        putOrNull(out, "dbtModel", m.dbtModel());
        putOrNull(out, "rawSql", m.rawSql());
        putOrNull(out, "tableName", m.tableName());
        out.put("isSchema", false);
        out.put("primaryKey", m.primaryKey());
        return render(out);
    }

    /** The sync file's text: the previous content with the known keys replaced; {@code config} is stored whole. */
    public static String write(SyncDocument s, ObjectNode previous) {
        ObjectNode out = previous == null ? JsonNodeFactory.instance.objectNode() : previous.deepCopy();
        out.put("model", s.model());
        out.put("destination", s.destination());
        out.set("config", s.config() == null ? JsonNodeFactory.instance.objectNode() : s.config().deepCopy());
        out.set("schedule", s.schedule());
        out.put("schedulePaused", s.schedulePaused());
        out.put("disabled", Boolean.TRUE.equals(s.disabled()));
        return render(out);
    }

    /** Parses a previous file for merging; an unreadable one is replaced whole. */
    public static ObjectNode previous(String text) {
        if (text == null) {
            return null;
        }
        try {
            return parse(text).tree();
        } catch (UnreadableFileException e) {
            return null;
        }
    }

    static String render(ObjectNode tree) {
        try {
            return YAML.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write YAML", e);
        }
    }

    private static void putOrNull(ObjectNode out, String key, String value) {
        if (value == null) {
            out.putNull(key);
        } else {
            out.put(key, value);
        }
    }

    private static void checkChoice(String file, Parsed p, ObjectNode config, String key, Set<String> allowed,
                                    List<FileProblem> problems) {
        JsonNode v = config.get(key);
        if (v != null && !v.isNull() && !(v.isTextual() && allowed.contains(v.asText()))) {
            problems.add(new FileProblem(file, p.line("config." + key),
                    "config." + key + " must be one of " + String.join(", ", allowed.stream().sorted().toList())));
        }
    }

    private static String text(String file, Parsed p, String key, List<FileProblem> problems, boolean required) {
        JsonNode v = p.tree().get(key);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            if (required) {
                problems.add(new FileProblem(file, p.line(key), key + " is required"));
            }
            return null;
        }
        if (!v.isValueNode() || v.isBoolean()) {
            problems.add(new FileProblem(file, p.line(key), key + " must be a string"));
            return null;
        }
        if (v.asText().indexOf('\0') >= 0) {
            // PostgreSQL text cannot hold it: refused here as the API refuses it, not a failed cycle
            problems.add(new FileProblem(file, p.line(key), key + " must not contain a NUL character"));
            return null;
        }
        return v.asText();
    }

    /** Which object a repository path names, relative to the Git Sync folder; null for any other file. */
    public record ObjectPath(GitSyncKind kind, String slug) {
    }

    /** {@code models/<slug>.yaml} or {@code syncs/<slug>.yml} under the folder; anything else (manifest.yaml, README) is not ours. */
    public static ObjectPath objectPath(String relative) {
        for (GitSyncKind kind : GitSyncKind.values()) {
            String prefix = kind.folder() + "/";
            if (relative.startsWith(prefix)) {
                String name = relative.substring(prefix.length());
                if (name.contains("/")) {
                    return null;
                }
                for (String ext : List.of(".yaml", ".yml")) {
                    if (name.endsWith(ext) && name.length() > ext.length()) {
                        return new ObjectPath(kind, name.substring(0, name.length() - ext.length()));
                    }
                }
            }
        }
        return null;
    }

    /** The file Eddy writes for an object, relative to the folder. */
    public static String relativePath(GitSyncKind kind, String slug) {
        return kind.folder() + "/" + slug + ".yaml";
    }

}
