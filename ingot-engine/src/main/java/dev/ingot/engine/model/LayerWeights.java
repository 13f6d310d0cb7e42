package dev.ingot.engine.model;

import dev.ingot.engine.kernel.WeightMatrix;

/** One decoder block's weights. Norm scales are small and copied to floats; matrices stay in place. */
record LayerWeights(float[] attnNorm, WeightMatrix q, WeightMatrix k, WeightMatrix v, WeightMatrix o,
        float[] ffnNorm, WeightMatrix gate, WeightMatrix up, WeightMatrix down) {}
