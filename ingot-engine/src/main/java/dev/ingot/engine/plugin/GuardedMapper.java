package dev.ingot.engine.plugin;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.tensor.TensorInfo;

/** A format's mapper whose every call runs under the plugin guard, for the load and for every update. */
final class GuardedMapper implements WeightMapper {

    private final WeightMapper mapper;
    private final PluginHost host;
    private final FormatChoice choice;

    GuardedMapper(WeightMapper mapper, PluginHost host, FormatChoice choice) {
        this.mapper = mapper;
        this.host = host;
        this.choice = choice;
    }

    @Override
    public TensorMapping map(TensorInfo nativeTensor) {
        try {
            return host.callFormat(choice, "failed to map tensor '" + nativeTensor.name() + "'", () -> mapper.map(nativeTensor));
        } catch (CheckpointException e) {
            throw new PluginFailureException(e.getMessage(), e);
        }
    }
}
