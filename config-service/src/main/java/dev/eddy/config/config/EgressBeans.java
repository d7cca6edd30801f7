package dev.eddy.config.config;

import dev.eddy.contracts.egress.EgressPolicy;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;


/**
 * Produces the egress policy from {@code eddy.egress.*}: the API refuses denied literal hosts with a 422, and
 * the warehouse probe and Git Sync check resolved addresses before connecting.
 */
public class EgressBeans {

    @Produces
    @Singleton
    EgressPolicy egressPolicy(EddyConfig config) {
        return EgressPolicy.of(config.egress());
    }
}
