package dev.eddy.config.service;

/** The broker did not acknowledge a trigger; nothing was recorded (answered 503). */
public class TriggerNotPublishedException extends RuntimeException {

    public TriggerNotPublishedException(String message, Throwable cause) {
        super(message, cause);
    }
}
