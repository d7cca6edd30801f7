package dev.eddy.extractor.messaging;

import dev.eddy.contracts.ProgressBeat;
import dev.eddy.contracts.Topics;
import dev.eddy.contracts.avro.RunEvent;
import dev.eddy.contracts.avro.RunRequest;
import dev.eddy.contracts.avro.RunStatus;
import dev.eddy.contracts.failure.Failures;
import dev.eddy.contracts.failure.TransientFailureException;
import dev.eddy.contracts.kafka.EventPublisher;
import dev.eddy.contracts.kafka.RecordLimits;
import dev.eddy.contracts.kafka.RowTooLargeException;
import dev.eddy.contracts.spec.SyncSpec;
import dev.eddy.contracts.text.SafeText;
import dev.eddy.extractor.config.ExtractorConfig;
import dev.eddy.extractor.service.ErrorCode;
import dev.eddy.extractor.service.ExtractionFailedException;
import dev.eddy.extractor.service.ExtractionSummary;
import dev.eddy.extractor.service.ModelExtractor;
import dev.eddy.extractor.service.RowSink;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Handles one run request (PROTOCOL.md step 3): announces {@code querying}, extracts the model into row
 * batches, and always ends the extraction with an {@code END} marker, carrying the error when it failed.
 * Only Kafka failures are thrown, so the consumer retries the request as a new extraction attempt.
 */
@ApplicationScoped
public class RunRequestHandler {

    static final String PRODUCER = "extractor-service";
    private static final Logger LOG = Logger.getLogger(RunRequestHandler.class);

    private final EventPublisher publisher;
    private final ModelExtractor extractor;
    private final ExtractorConfig.Extractor settings;
    private final int maxRecordBytes;
    /** Per run, when its source was first found unreachable (the start of its retry window). */
    private final Map<String, Instant> unreachableSince = new ConcurrentHashMap<>();

    public RunRequestHandler(EventPublisher publisher, ModelExtractor extractor, ExtractorConfig config) {
        this.publisher = publisher;
        this.extractor = extractor;
        this.settings = config.extractor();
        this.maxRecordBytes = RecordLimits.checked(config.kafka().maxRecordBytes());
    }

    public void handle(ConsumerRecord<String, RunRequest> record) {
        RunRequest request = record.value();
        if (request == null) {
            return;
        }
        MDC.put("syncId", request.getSyncId());
        MDC.put("runId", request.getRunId());
        try {
            extract(request);
        } finally {
            MDC.remove("syncId");
            MDC.remove("runId");
        }
    }

    private void extract(RunRequest request) {
        long attempt = System.currentTimeMillis();
        Instant startedAt = Instant.ofEpochMilli(attempt);
        publisher.sendAndWait(Topics.RUN_EVENTS, request.getSyncId(), RunEvent.newBuilder()
                .setRunId(request.getRunId())
                .setSyncId(request.getSyncId())
                .setStatus(RunStatus.querying)
                .setProducer(PRODUCER)
                .setAt(startedAt)
                .setStartedAt(startedAt)
                .setFullResync(request.getFullResync())
                .setTrigger(request.getTrigger())
                .build());
        RowBatchPublisher batches;
        try {
            batches = new RowBatchPublisher(publisher, request, attempt, settings.batchSize(), maxRecordBytes);
        } catch (RowTooLargeException e) {
            failWithoutBatches(request, startedAt, e);
            return;
        }
        try {
            ExtractionSummary summary = extractor.extract(spec(request), new ProgressReporting(batches, request, startedAt));
            batches.complete(summary);
            unreachableSince.remove(request.getRunId());
            LOG.infof("extracted %d rows in %d batches (attempt %d) in %d ms", summary.querySize(), batches.batches(),
                    attempt, System.currentTimeMillis() - attempt);
        } catch (ExtractionFailedException e) {
            if (e.code() == ErrorCode.SOURCE_UNREACHABLE && Failures.isTransient(e) && withinRetryWindow(request.getRunId())) {
                LOG.warnf("the source is unreachable after %d batches (%s); the extraction is tried again",
                        batches.batches(), e.getMessage());
                // the consumer waits this out and hands the request back: a new attempt supersedes this one's batches
                throw new TransientFailureException("the source of sync " + request.getSyncId() + " is unreachable: "
                        + e.getMessage(), e);
            }
            unreachableSince.remove(request.getRunId());
            LOG.warnf("extraction failed with %s after %d batches: %s", e.code(), batches.batches(), e.getMessage());
            // a warehouse's message may quote any bytes, at any length: the diff stores it, the END record carries it
            batches.fail(e.code(), SafeText.forStorage(e.getMessage(), SafeText.ERROR_MAX_CHARS));
        } catch (RowTooLargeException e) {
            // a run failure, not a Kafka one: retrying would extract the same row again
            LOG.warnf("extraction failed with %s after %d batches: %s", ErrorCode.ROW_TOO_LARGE, batches.batches(),
                    e.getMessage());
            batches.fail(ErrorCode.ROW_TOO_LARGE, e.getMessage());
        }
    }

    /**
     * Hands each row on and, while rows keep coming, publishes {@code RunEvent{querying, querySize: rows read so far}}
     * at least every {@link ProgressBeat#INTERVAL}, so the scheduler's progress deadline never ends a long, healthy
     * extraction (and does end one whose source stopped answering). Called by the one encoding thread.
     */
    private final class ProgressReporting implements RowSink {
        private final RowSink rows;
        private final ProgressBeat beat;
        private long read;

        ProgressReporting(RowSink rows, RunRequest request, Instant startedAt) {
            this.rows = rows;
            this.beat = new ProgressBeat(ProgressBeat.INTERVAL, () -> publisher.sendAndWait(Topics.RUN_EVENTS,
                    request.getSyncId(), RunEvent.newBuilder()
                            .setRunId(request.getRunId())
                            .setSyncId(request.getSyncId())
                            .setStatus(RunStatus.querying)
                            .setProducer(PRODUCER)
                            .setAt(Instant.now())
                            .setStartedAt(startedAt)
                            .setQuerySize(read)
                            .setFullResync(request.getFullResync())
                            .setTrigger(request.getTrigger())
                            .build()));
        }

        @Override
        public void row(String pk, byte[] hash, String data) {
            rows.row(pk, hash, data);
            read++;
            beat.beat();
        }
    }

    /**
     * Ends a run whose spec alone does not fit a record: no batch, not even END, could carry it to the diff, so the
     * extractor publishes the run's terminal {@code failed} event itself (as the scheduler does for a cancelled run).
     */
    private void failWithoutBatches(RunRequest request, Instant startedAt, RowTooLargeException e) {
        LOG.warnf("extraction failed with %s: %s", ErrorCode.ROW_TOO_LARGE, e.getMessage());
        Instant now = Instant.now();
        publisher.sendAndWait(Topics.RUN_EVENTS, request.getSyncId(), RunEvent.newBuilder()
                .setRunId(request.getRunId()).setSyncId(request.getSyncId()).setStatus(RunStatus.failed)
                .setTerminal(true).setProducer(PRODUCER).setAt(now).setStartedAt(startedAt).setFinishedAt(now)
                .setFullResync(request.getFullResync()).setTrigger(request.getTrigger())
                .setError(e.getMessage()).setErrorCode(ErrorCode.ROW_TOO_LARGE.name()).build());
    }

    /**
     * True while the run's source has been unreachable for less than {@code eddy.extractor.source-retry-window},
     * counted from this extractor's first failed attempt of the run.
     */
    private boolean withinRetryWindow(String runId) {
        Instant first = unreachableSince.computeIfAbsent(runId, id -> Instant.now());
        return Duration.between(first, Instant.now()).compareTo(settings.sourceRetryWindow()) < 0;
    }

    private static SyncSpec spec(RunRequest request) throws ExtractionFailedException {
        try {
            return SyncSpec.fromJson(request.getSpecJson());
        } catch (IllegalArgumentException e) {
            throw new ExtractionFailedException(ErrorCode.INVALID_SPEC, e.getMessage(), e);
        }
    }
}
