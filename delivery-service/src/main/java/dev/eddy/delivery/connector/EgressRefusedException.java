package dev.eddy.delivery.connector;

import java.io.IOException;

/**
 * A request the egress policy refused before any connection: a transport failure that no retry can cure, so
 * connectors reject the rows it carried instead of retrying.
 */
public class EgressRefusedException extends IOException {

    public EgressRefusedException(String message) {
        super(message);
    }
}
