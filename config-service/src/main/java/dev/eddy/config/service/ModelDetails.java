package dev.eddy.config.service;

import dev.eddy.config.domain.Model;

import java.util.List;

/** A model with the ids of the syncs that use it. */
public record ModelDetails(Model model, List<Long> syncIds) {
}
