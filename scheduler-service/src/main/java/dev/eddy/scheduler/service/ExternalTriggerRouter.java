package dev.eddy.scheduler.service;

import dev.eddy.contracts.avro.TriggerEvent;
import dev.eddy.scheduler.messaging.RunPublisher;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Turns a dbt Cloud or Fivetran trigger (which names a job or connector, not a sync) into one trigger per
 * sync scheduled after it, published keyed by that sync. Only the instance consuming the trigger's partition
 * routes it, and the per-sync trigger ids are derived from the original one, so a replay changes nothing.
 * A job or connector run that did not succeed triggers nothing; paused and disabled syncs are skipped.
 */
public final class ExternalTriggerRouter {

    private static final Logger LOG = Logger.getLogger(ExternalTriggerRouter.class);

    private final SyncCatalog catalog;
    private final RunPublisher publisher;

    public ExternalTriggerRouter(SyncCatalog catalog, RunPublisher publisher) {
        this.catalog = catalog;
        this.publisher = publisher;
    }

    /** Routes one trigger without a sync id. */
    public void route(TriggerEvent trigger) {
        List<SyncCatalog.Entry> targets;
        String what;
        if (trigger.getDbtJobId() != null) {
            what = "dbt Cloud job " + trigger.getDbtJobId() + " (account " + trigger.getDbtAccountId() + ")";
            if (!"success".equalsIgnoreCase(String.valueOf(trigger.getDbtRunStatus()))) {
                LOG.infof("%s ended %s: its syncs are skipped", what, trigger.getDbtRunStatus());
                return;
            }
            targets = catalog.afterDbtJob(trigger.getDbtAccountId(), trigger.getDbtJobId());
        } else if (trigger.getFivetranConnectorId() != null) {
            what = "Fivetran connector " + trigger.getFivetranConnectorId();
            if (!"SUCCESSFUL".equalsIgnoreCase(String.valueOf(trigger.getFivetranStatus()))) {
                LOG.infof("%s sync ended %s: its syncs are skipped", what, trigger.getFivetranStatus());
                return;
            }
            targets = catalog.afterFivetranConnector(trigger.getFivetranConnectorId());
        } else {
            LOG.warnf("Trigger %s from %s names no sync, dbt Cloud job or Fivetran connector: ignored",
                    trigger.getTriggerId(), trigger.getSource());
            return;
        }
        int routed = 0;
        for (SyncCatalog.Entry sync : targets) {
            if (sync.isSequence() && !sync.paused()) {
                // a sequence scheduled after the job: config-service starts its run
                publisher.triggerAndWait(TriggerEvent.newBuilder(trigger)
                        .setTriggerId(trigger.getTriggerId() + ":" + sync.syncId())
                        .setSyncId(null)
                        .setSequenceId(sync.sequenceId())
                        .setRunId(null)
                        .setSpecJson(null)
                        .build(), sync.syncId());
                routed++;
                continue;
            }
            if (sync.paused() || sync.disabled() || sync.specJson() == null) {
                LOG.infof("Sync %s (after %s) is paused, disabled or has no spec: not run", sync.syncId(), what);
                continue;
            }
            publisher.triggerAndWait(TriggerEvent.newBuilder(trigger)
                    .setTriggerId(trigger.getTriggerId() + ":" + sync.syncId())
                    .setSyncId(sync.syncId())
                    .setRunId(null)
                    .setSpecJson(null) // the coordinator runs the spec of the config topic, never a trigger's
                    .build(), sync.syncId());
            routed++;
        }
        LOG.infof("%s succeeded: %d sync(s) triggered", what, routed);
    }
}
