package dev.ingot.engine.update;

import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.spi.model.ModelSpec;
import java.io.IOException;
import java.util.Optional;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.update.UpdateRejectedException;

/**
 * Where an update finds the mapper for the format its tensor names are in. In the engine this is the
 * plugin host, so an update in a format's names goes through the very mapper the initial load used.
 */
@FunctionalInterface
public interface MapperSource {

    /** The mapper for {@code format}'s native names, or a rejection naming the formats that exist. */
    WeightMapper mapper(String format, ModelSpec spec) throws UpdateRejectedException;

    /** The installed formats' own mappers, made and called under the plugin guard. */
    static MapperSource of(PluginHost plugins) {
        return (format, spec) -> {
            try {
                return plugins.mapper(plugins.select(null, Optional.of(format)), spec);
            } catch (IOException e) {
                throw new UpdateRejectedException(e.getMessage(), e);
            }
        };
    }
}
