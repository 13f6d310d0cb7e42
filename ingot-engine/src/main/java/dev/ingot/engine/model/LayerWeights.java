package dev.ingot.engine.model;

import dev.ingot.engine.kernel.WeightMatrix;

/**
 * One decoder block's weights, bound from a generation. Matrices stay where they are (usually a mapped
 * file); norm scales and biases are small and copied to floats, a {@code 1 + w} norm already added up.
 * Optional parts the layer's blueprint lacks are null.
 */
record LayerWeights(float[] inputNorm, WeightMatrix q, WeightMatrix k, WeightMatrix v, WeightMatrix o,
        float[] qBias, float[] kBias, float[] vBias, float[] oBias, float[] qNorm, float[] kNorm,
        float[] postAttentionNorm, float[] mlpNorm, WeightMatrix gate, WeightMatrix up, WeightMatrix down,
        float[] postMlpNorm) {

    long matrixBytes() {
        return q.byteSize() + k.byteSize() + v.byteSize() + o.byteSize() + gate.byteSize() + up.byteSize() + down.byteSize();
    }
}
