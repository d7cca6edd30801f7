package dev.eddy.extractor.service;

import dev.eddy.extractor.spi.SourceDialect;
import io.quarkus.arc.All;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every {@link SourceDialect} bean, by source type. */
@ApplicationScoped
public class SourceDialects {

    private final Map<String, SourceDialect> byType;

    public SourceDialects(@All List<SourceDialect> dialects) {
        this.byType = dialects.stream().collect(Collectors.toUnmodifiableMap(SourceDialect::type, Function.identity()));
    }

    public Optional<SourceDialect> forType(String type) {
        return Optional.ofNullable(type == null ? null : byType.get(type));
    }
}
