package dev.eddy.config.store;

import java.sql.SQLException;

/** The config database refused or failed a statement. */
public class StoreException extends RuntimeException {

    public StoreException(SQLException cause) {
        super("config database: " + cause.getMessage(), cause);
    }
}
