package dev.eddy.contracts.egress;

import java.util.List;
import java.util.Optional;

/**
 * The egress policy's settings as every service that connects on a user's behalf reads them (keys under
 * {@code eddy.egress.}); each service's {@code @ConfigMapping} extends it, so the keys and their meaning are one.
 */
public interface EgressSettings {

    /** Rules opened besides the defaults ({@code EDDY_EGRESS_ALLOW}): CIDRs, address[:port], host:port. */
    Optional<List<String>> allow();

    /** Rules denied besides link-local and metadata addresses; the launcher lists Eddy's own ports. */
    Optional<List<String>> deny();
}
