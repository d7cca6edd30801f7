package dev.eddy.deploy;

import dev.eddy.contracts.Topics;
import dev.eddy.contracts.kafka.DeadLetterHeaders;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code ./eddy dlq list|replay}: the dead-letter topic {@link Topics#DEAD_LETTER} for operators. {@code list} shows
 * its letters; {@code replay} puts records the consumers dead-lettered back onto the topic they were read from, as
 * they were (key, value and original headers byte for byte; the {@code eddy.dlt.*} context headers dropped), so the
 * services handle them again (handlers are idempotent). Delivery's row letters (rows a destination rejected, no
 * {@code eddy.dlt.topic}) are listed but not replayed: their run already counts them. The broker is
 * {@code KAFKA_BOOTSTRAP_SERVERS}, by default the local suite's ({@code 127.0.0.1:$EDDY_KAFKA_PORT}, 19092).
 * <p>
 * Replaying reads the letters present when it starts (letters dead-lettered again meanwhile are not replayed twice
 * in one go); running it twice replays twice: choose with {@code --since} or {@code --letter}.
 */
public final class DeadLetterTool {

    static final String USAGE = """
            usage: ./eddy dlq list   [--topic T] [--since S] [--limit N]
                   ./eddy dlq replay [--topic T] [--since S] [--letter P@O] [--dry-run]
              --topic T     only letters of records read from topic T (e.g. eddy.rows.v1)
              --since S     only letters dead-lettered at or after S: an instant (2026-05-01T12:00:00Z) or an age (30m, 2h, 1d)
              --letter P@O  only the letter at partition P, offset O of eddy.dead-letter.v1 (as list shows it)
              --limit N     list at most N letters, the newest (default 100)
              --dry-run     say what replay would put back, and put nothing back
            Broker: KAFKA_BOOTSTRAP_SERVERS (default 127.0.0.1:$EDDY_KAFKA_PORT, 19092).""";

    /** What the command line asked for. */
    record Request(String command, String topic, Instant since, Integer partition, Long offset, int limit, boolean dryRun) {

        static Request parse(String[] args, Clock clock) {
            if (args.length == 0 || !(args[0].equals("list") || args[0].equals("replay"))) {
                throw new IllegalArgumentException(args.length == 0 ? "dlq needs a command" : "unknown command '" + args[0] + "'");
            }
            String topic = null;
            Instant since = null;
            Integer partition = null;
            Long offset = null;
            int limit = 100;
            boolean dryRun = false;
            for (int i = 1; i < args.length; i++) {
                String option = args[i];
                if (option.equals("--dry-run")) {
                    dryRun = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                String value = args[++i];
                switch (option) {
                    case "--topic" -> topic = value;
                    case "--since" -> since = since(value, clock);
                    case "--letter" -> {
                        int at = value.indexOf('@');
                        try {
                            partition = Integer.parseInt(value.substring(0, Math.max(0, at)));
                            offset = Long.parseLong(value.substring(at + 1));
                        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                            throw new IllegalArgumentException("--letter takes PARTITION@OFFSET, e.g. 2@17, not '" + value + "'");
                        }
                    }
                    case "--limit" -> {
                        try {
                            limit = Integer.parseInt(value);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--limit takes a number, not '" + value + "'");
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
            return new Request(args[0], topic, since, partition, offset, limit, dryRun);
        }

        private static Instant since(String value, Clock clock) {
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException e) {
                // an age: 45s, 30m, 2h, 1d
            }
            if (value.length() >= 2) {
                char unit = value.charAt(value.length() - 1);
                try {
                    long amount = Long.parseLong(value.substring(0, value.length() - 1));
                    Duration age = switch (unit) {
                        case 's' -> Duration.ofSeconds(amount);
                        case 'm' -> Duration.ofMinutes(amount);
                        case 'h' -> Duration.ofHours(amount);
                        case 'd' -> Duration.ofDays(amount);
                        default -> null;
                    };
                    if (age != null) {
                        return clock.instant().minus(age);
                    }
                } catch (NumberFormatException e) {
                    // not an age either
                }
            }
            throw new IllegalArgumentException("--since takes an instant (2026-05-01T12:00:00Z) or an age (30m, 2h, 1d), not '"
                    + value + "'");
        }

        boolean selects(ConsumerRecord<byte[], byte[]> letter) {
            if (partition != null && (letter.partition() != partition || letter.offset() != offset)) {
                return false;
            }
            return topic == null || topic.equals(DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.TOPIC));
        }
    }

    private final String bootstrapServers;
    private final PrintStream out;

    DeadLetterTool(String bootstrapServers, PrintStream out) {
        this.bootstrapServers = bootstrapServers;
        this.out = out;
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        String servers = env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "").isBlank()
                ? "127.0.0.1:" + env.getOrDefault("EDDY_KAFKA_PORT", "19092") : env.get("KAFKA_BOOTSTRAP_SERVERS");
        if (args.length > 0 && (args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(USAGE);
            return;
        }
        Request request;
        try {
            request = Request.parse(args, Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            System.err.println("eddy: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        try {
            new DeadLetterTool(servers, System.out).run(request);
        } catch (RuntimeException e) {
            System.err.println("eddy: dlq (broker " + servers + "): " + e.getMessage());
            System.exit(1);
        }
    }

    /** Lists or replays; returns how many letters it listed or replayed. */
    int run(Request request) {
        List<ConsumerRecord<byte[], byte[]>> letters = read(request);
        return request.command().equals("list") ? list(letters, request.limit()) : replay(letters, request.dryRun());
    }

    private int list(List<ConsumerRecord<byte[], byte[]>> letters, int limit) {
        List<ConsumerRecord<byte[], byte[]>> shown = letters.size() > limit ? letters.subList(letters.size() - limit, letters.size()) : letters;
        for (ConsumerRecord<byte[], byte[]> letter : shown) {
            out.println(describe(letter));
        }
        out.println(letters.size() + " dead letter" + (letters.size() == 1 ? "" : "s")
                + (shown.size() < letters.size() ? " (the newest " + shown.size() + " shown)" : ""));
        return shown.size();
    }

    private int replay(List<ConsumerRecord<byte[], byte[]>> letters, boolean dryRun) {
        int replayed = 0;
        int rows = 0;
        try (KafkaProducer<byte[], byte[]> producer = dryRun ? null : new KafkaProducer<>(producerSettings())) {
            for (ConsumerRecord<byte[], byte[]> letter : letters) {
                String topic = DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.TOPIC);
                if (topic == null) {
                    rows++;
                    continue;
                }
                RecordHeaders original = new RecordHeaders();
                for (Header header : letter.headers()) {
                    if (!header.key().startsWith(DeadLetterHeaders.PREFIX)) {
                        original.add(header);
                    }
                }
                if (dryRun) {
                    out.println("would replay " + describe(letter));
                } else {
                    RecordMetadata sent = await(producer.send(new ProducerRecord<>(topic, null, letter.key(), letter.value(), original)));
                    out.println("replayed " + letter.partition() + "@" + letter.offset() + " onto " + topic
                            + " partition " + sent.partition() + " offset " + sent.offset());
                }
                replayed++;
            }
        }
        out.println((dryRun ? "would replay " : "replayed ") + replayed + " dead letter" + (replayed == 1 ? "" : "s")
                + (rows > 0 ? "; " + rows + " row letter" + (rows == 1 ? "" : "s") + " of delivery (rejected or failed rows) not replayed" : ""));
        return replayed;
    }

    /** The selected letters present now, oldest first per partition, partitions in order. */
    List<ConsumerRecord<byte[], byte[]>> read(Request request) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        settings.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        settings.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 32 * 1024 * 1024);
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        List<ConsumerRecord<byte[], byte[]>> letters = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.DEAD_LETTER, Duration.ofSeconds(15)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .filter(p -> request.partition() == null || p.partition() == request.partition())
                    .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
                    .toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException(Topics.DEAD_LETTER + " has no such partition");
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            seekToStart(consumer, partitions, request, end);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> byPartition = new HashMap<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + Topics.DEAD_LETTER + " took longer than 2 minutes");
                }
                for (ConsumerRecord<byte[], byte[]> letter : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition partition = new TopicPartition(letter.topic(), letter.partition());
                    if (letter.offset() < end.get(partition) && request.selects(letter)
                            && (request.since() == null || letter.timestamp() >= request.since().toEpochMilli())) {
                        byPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(letter);
                    }
                }
                if (request.partition() != null && consumer.position(partitions.get(0)) > request.offset()) {
                    break;
                }
            }
            partitions.forEach(p -> letters.addAll(byPartition.getOrDefault(p, List.of())));
        }
        return letters;
    }

    private static void seekToStart(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
                                    Request request, Map<TopicPartition, Long> end) {
        if (request.partition() != null) {
            consumer.seek(partitions.get(0), Math.min(request.offset(), end.get(partitions.get(0))));
            return;
        }
        if (request.since() == null) {
            consumer.seekToBeginning(partitions);
            return;
        }
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(p -> times.put(p, request.since().toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(times);
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp at = found.get(partition);
            consumer.seek(partition, at == null ? end.get(partition) : at.offset());
        }
    }

    private static String describe(ConsumerRecord<byte[], byte[]> letter) {
        StringBuilder line = new StringBuilder();
        line.append(letter.partition()).append('@').append(letter.offset()).append("  ")
                .append(Instant.ofEpochMilli(letter.timestamp())).append("  ");
        String topic = DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.TOPIC);
        if (topic != null) {
            line.append(topic).append(" partition ").append(DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.PARTITION))
                    .append(" offset ").append(DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.OFFSET))
                    .append("  stage ").append(DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.STAGE))
                    .append("  ").append(DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.FAILURE))
                    .append("  ").append(letter.value() == null ? 0 : letter.value().length).append(" bytes  ")
                    .append(shorten(DeadLetterHeaders.text(letter.headers(), DeadLetterHeaders.MESSAGE)));
        } else {
            line.append("row of run ").append(DeadLetterHeaders.text(letter.headers(), "eddy.dlt.run-id"))
                    .append(" (sync ").append(DeadLetterHeaders.text(letter.headers(), "eddy.dlt.sync-id")).append(")  ")
                    .append(DeadLetterHeaders.text(letter.headers(), "eddy.dlt.op")).append(' ')
                    .append(DeadLetterHeaders.text(letter.headers(), "eddy.dlt.primary-key")).append("  ")
                    .append(DeadLetterHeaders.text(letter.headers(), "eddy.dlt.status")).append("  ")
                    .append(shorten(DeadLetterHeaders.text(letter.headers(), "eddy.dlt.reason")));
        }
        return line.toString();
    }

    private static String shorten(String text) {
        if (text == null) {
            return "";
        }
        String line = text.replaceAll("\\s+", " ");
        return line.length() <= 300 ? line : line.substring(0, 300) + "…";
    }

    private Map<String, Object> producerSettings() {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(ProducerConfig.CLIENT_ID_CONFIG, "eddy-dlq-replay");
        settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        settings.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 32 * 1024 * 1024);
        settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        return settings;
    }

    private static RecordMetadata await(java.util.concurrent.Future<RecordMetadata> sent) {
        try {
            return sent.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while replaying", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the broker refused a replayed record: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the broker did not acknowledge a replayed record within 60 s", e);
        }
    }
}
