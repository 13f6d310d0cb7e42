package dev.ingot.engine.update;

import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.ModelSpec;
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

    /** The installed formats' own mappers ({@code PluginHost.format(name).mapper(spec)}). */
    static MapperSource of(PluginHost plugins) {
        return (format, spec) -> {
            try {
                return plugins.format(format).mapper(spec);
            } catch (CheckpointException e) {
                throw new UpdateRejectedException(e.getMessage(), e);
            } catch (RuntimeException e) {
                throw new UpdateRejectedException("format '" + format + "' failed to make a weight mapper: " + e, e);
            }
        };
    }
}
