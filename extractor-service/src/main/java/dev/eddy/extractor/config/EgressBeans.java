package dev.eddy.extractor.config;

import dev.eddy.contracts.egress.EgressPolicy;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;


/** Produces the egress policy the source dialects check hosts against, from {@code eddy.egress.*}. */
public class EgressBeans {

    @Produces
    @Singleton
    EgressPolicy egressPolicy(ExtractorConfig config) {
        return EgressPolicy.of(config.egress());
    }
}
