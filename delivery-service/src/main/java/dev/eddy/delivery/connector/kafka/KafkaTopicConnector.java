package dev.eddy.delivery.connector.kafka;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eddy.contracts.destination.ConfigProblem;
import dev.eddy.contracts.egress.DestinationTargets;
import dev.eddy.contracts.egress.EgressDeniedException;
import dev.eddy.contracts.egress.EgressPolicy;
import dev.eddy.contracts.destination.DestinationDescriptor;
import dev.eddy.contracts.destination.KafkaTopicDescriptor;
import dev.eddy.delivery.spi.ConnectorContext;
import dev.eddy.delivery.spi.DeliveryRow;
import dev.eddy.delivery.spi.DeliverySettings;
import dev.eddy.delivery.spi.DestinationConfigurationException;
import dev.eddy.delivery.spi.DestinationConnector;
import dev.eddy.delivery.spi.RetriableDeliveryException;
import dev.eddy.delivery.spi.WriteOutcome;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;

import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code kafka} destination: one record per row on {@code topic} of the cluster at
 * {@code bootstrapServers}, keyed by the row's primary key, the value the mapped row as JSON, with headers
 * {@code eddy-op}, {@code eddy-sync-id} and {@code eddy-run-id}. A removed row is a tombstone (null value) when
 * the delete behaviour is {@code delete}, a record with the mapped fields set to null under
 * {@code clear_fields}, and is not sent under {@code do_nothing}. Extra producer settings go in
 * {@code properties} (e.g. {@code security.protocol}; only the descriptor's allow-list, each value checked again once
 * its secrets are opened); the producer is idempotent with {@code acks=all}. Each row
 * has its own outcome (a refused record is rejected alone). The configuration rules are
 * {@link KafkaTopicDescriptor}'s.
 */
public final class KafkaTopicConnector implements DestinationConnector {

    public static final String TYPE = KafkaTopicDescriptor.TYPE;

    private final EgressPolicy egress;
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
    private static final long SEND_TIMEOUT_SECONDS = 30;

    private KafkaProducer<String, String> producer;
    private String topic;
    private DeliverySettings settings;
    private String syncId;
    private String runId;

    @Override
    public DestinationDescriptor descriptor() {
        return KafkaTopicDescriptor.INSTANCE;
    }

    /** With the default egress policy. */
    public KafkaTopicConnector() {
        this(EgressPolicy.defaults());
    }

    /** @param egress the policy every bootstrap broker's addresses are checked against when the connector opens */
    public KafkaTopicConnector(EgressPolicy egress) {
        this.egress = egress;
    }

    /**
     * Refuses bootstrap brokers the egress policy denies (Eddy's own broker, metadata addresses), before the
     * producer connects. The brokers the cluster then advertises are the cluster's: a rogue cluster could name
     * other addresses, which the Kafka client offers no hook to check.
     */
    private void checkBrokers(String servers) throws DestinationConfigurationException {
        for (String server : servers.split(",")) {
            DestinationTargets.Target target = DestinationTargets.hostPort(server.strip(), 9092).orElse(null);
            if (target == null) {
                continue;
            }
            try {
                egress.resolve(target.host(), target.port());
            } catch (EgressDeniedException e) {
                throw new DestinationConfigurationException(List.of(new ConfigProblem("bootstrapServers",
                        "broker " + target.host() + ":" + target.port() + " " + e.getMessage())));
            } catch (UnknownHostException e) {
                // the producer reports unknown brokers itself, as it does for unreachable ones
            }
        }
    }

    @Override
    public void open(ConnectorContext context) throws DestinationConfigurationException {
        List<ConfigProblem> problems = validate(context.configuration());
        if (!problems.isEmpty()) {
            throw new DestinationConfigurationException(problems);
        }
        Map<String, Object> config = context.configuration();
        Map<String, Object> props = new HashMap<>();
        if (config.get("properties") instanceof Map<?, ?> extra) {
            for (Map.Entry<?, ?> e : extra.entrySet()) {
                String name = String.valueOf(e.getKey());
                String value;
                try {
                    value = context.secrets().open(String.valueOf(e.getValue()));
                } catch (IllegalStateException sealed) {
                    throw new DestinationConfigurationException(List.of(
                            new ConfigProblem("properties." + name, "the sealed value cannot be opened")));
                }
                // checked again once opened: validation saw secrets sealed, and a spec may predate the allow-list
                String problem = KafkaTopicDescriptor.propertyProblem(name, value);
                if (problem != null) {
                    throw new DestinationConfigurationException(List.of(new ConfigProblem("properties." + name, problem)));
                }
                props.put(name, value);
            }
        }
        checkBrokers((String) config.get("bootstrapServers"));
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get("bootstrapServers"));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "eddy-delivery-" + context.syncId());
        try {
            producer = new KafkaProducer<>(props);
        } catch (RuntimeException e) {
            throw new DestinationConfigurationException(List.of(new ConfigProblem("properties", e.getMessage())));
        }
        topic = (String) config.get("topic");
        settings = context.settings();
        syncId = context.syncId();
        runId = context.runId();
    }

    @Override
    public List<WriteOutcome> write(List<DeliveryRow> rows) throws RetriableDeliveryException {
        List<Future<RecordMetadata>> sent = new ArrayList<>(rows.size());
        WriteOutcome[] outcomes = new WriteOutcome[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            DeliveryRow row = rows.get(i);
            String value;
            if (row.op() == DeliveryRow.Operation.REMOVED && settings.deletes()) {
                value = null;
            } else if (row.op() == DeliveryRow.Operation.REMOVED && !settings.clearsFields()) {
                outcomes[i] = WriteOutcome.accepted();
                sent.add(null);
                continue;
            } else {
                value = json(row.fields());
            }
            RecordHeaders headers = new RecordHeaders();
            headers.add("eddy-op", row.op().wireName().getBytes(StandardCharsets.UTF_8));
            headers.add("eddy-sync-id", String.valueOf(syncId).getBytes(StandardCharsets.UTF_8));
            headers.add("eddy-run-id", String.valueOf(runId).getBytes(StandardCharsets.UTF_8));
            try {
                sent.add(producer.send(new ProducerRecord<>(topic, null, row.primaryKey(), value, headers)));
            } catch (RuntimeException e) {
                // send() itself fails when metadata cannot be fetched within max.block.ms: the cluster is unreachable
                throw RetriableDeliveryException.unreachable("cannot reach Kafka: " + e.getMessage(), e);
            }
        }
        int retriable = 0;
        RetriableDeliveryException last = null;
        for (int i = 0; i < rows.size(); i++) {
            if (sent.get(i) == null) {
                continue;
            }
            try {
                sent.get(i).get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                outcomes[i] = WriteOutcome.accepted();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RetriableException || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                    outcomes[i] = WriteOutcome.retriable("Kafka: " + cause.getMessage());
                    last = RetriableDeliveryException.unreachable("Kafka: " + cause.getMessage(), cause);
                    retriable++;
                } else {
                    outcomes[i] = WriteOutcome.rejected("Kafka refused the record: " + cause.getMessage());
                }
            } catch (TimeoutException e) {
                outcomes[i] = WriteOutcome.retriable("Kafka did not acknowledge within " + SEND_TIMEOUT_SECONDS + " s");
                last = RetriableDeliveryException.unreachable(outcomes[i].reason(), e);
                retriable++;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw RetriableDeliveryException.unreachable("interrupted while sending to Kafka", e);
            }
        }
        if (retriable == rows.size() && last != null) {
            throw last;
        }
        return List.of(outcomes);
    }

    private static String json(Map<String, Object> fields) {
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a row cannot be written as JSON", e);
        }
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(java.time.Duration.ofSeconds(5));
            producer = null;
        }
    }
}
