package dev.ingot.spi.mapping;

import dev.ingot.spi.tensor.TensorInfo;

/**
 * Turns tensors in a format's native names and layouts into canonical ones (see
 * {@link dev.ingot.spi.format.CanonicalWeights}). It only <em>describes</em> the work: the engine
 * performs the {@link TensorOp}s, so one mapper serves the initial load and every live update, and
 * the engine can validate names and shapes before it reads a byte.
 */
@FunctionalInterface
public interface WeightMapper {

    /** How the native tensor described by {@code nativeTensor} becomes canonical tensors. */
    TensorMapping map(TensorInfo nativeTensor);

    /** Names already canonical, layout already canonical. */
    static WeightMapper identity() {
        return info -> TensorMapping.to(info.name());
    }
}
