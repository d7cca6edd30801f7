package dev.eddy.extractor.source;

import dev.eddy.contracts.egress.EgressDeniedException;
import dev.eddy.contracts.egress.EgressPolicy;
import dev.eddy.contracts.source.SourceAddress;
import dev.eddy.extractor.spi.SourceConfigurationException;
import dev.eddy.extractor.spi.SourceUnreachableException;

import java.net.UnknownHostException;

/** The egress check of a networked source, right before connecting, with the dialects' error types. */
final class SourceEgress {

    private SourceEgress() {
    }

    /**
     * Where the driver connects: the source's checked address (see {@link SourceAddress#connectHost}).
     *
     * @throws SourceConfigurationException when the egress policy denies the host: a configuration, not a network, problem
     * @throws SourceUnreachableException   when the host name has no address
     */
    static String connectHost(EgressPolicy egress, SourceAddress address, boolean verifiesName)
            throws SourceConfigurationException, SourceUnreachableException {
        try {
            return address.connectHost(egress, verifiesName);
        } catch (EgressDeniedException e) {
            throw new SourceConfigurationException("the source's host " + e.getMessage());
        } catch (UnknownHostException e) {
            throw new SourceUnreachableException("the source's host " + address.host() + " is unknown: " + e.getMessage(), e);
        }
    }
}
