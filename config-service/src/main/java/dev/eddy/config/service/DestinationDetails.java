package dev.eddy.config.service;

import dev.eddy.config.domain.Destination;

import java.util.List;

/** A destination with the ids of the syncs that send to it. */
public record DestinationDetails(Destination destination, List<Long> syncIds) {
}
