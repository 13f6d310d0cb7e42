package dev.ingot.engine.model;

import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.format.RopeScaling;

/** Rotate-half RoPE: within each head, element {@code i} rotates with element {@code i + headDim/2}. */
final class RotaryEmbedding {

    private final int headDim;
    private final double[] inverseFrequencies;

    RotaryEmbedding(ModelSpec spec) {
        this.headDim = spec.headDim();
        int half = headDim / 2;
        inverseFrequencies = new double[half];
        for (int i = 0; i < half; i++) {
            double base = 1.0 / Math.pow(spec.ropeTheta(), (2.0 * i) / headDim);
            inverseFrequencies[i] = scaled(base, spec.ropeScaling());
        }
    }

    private static double scaled(double frequency, RopeScaling scaling) {
        return switch (scaling) {
            case RopeScaling.None none -> frequency;
            case RopeScaling.Linear linear -> frequency / linear.factor();
            case RopeScaling.Llama3 l3 -> {
                double lowWavelength = l3.originalMaxPositions() / l3.lowFreqFactor();
                double highWavelength = l3.originalMaxPositions() / l3.highFreqFactor();
                double wavelength = 2 * Math.PI / frequency;
                if (wavelength < highWavelength) {
                    yield frequency;
                }
                if (wavelength > lowWavelength) {
                    yield frequency / l3.factor();
                }
                double smooth = (l3.originalMaxPositions() / wavelength - l3.lowFreqFactor())
                        / (l3.highFreqFactor() - l3.lowFreqFactor());
                yield (1 - smooth) * frequency / l3.factor() + smooth * frequency;
            }
        };
    }

    /** Cosines and sines for {@code position}, {@code headDim/2} of each. */
    void angles(int position, float[] cos, float[] sin) {
        for (int i = 0; i < inverseFrequencies.length; i++) {
            double angle = position * inverseFrequencies[i];
            cos[i] = (float) Math.cos(angle);
            sin[i] = (float) Math.sin(angle);
        }
    }

    /** Rotates {@code heads} consecutive heads starting at {@code offset}. */
    void rotate(float[] x, int offset, int heads, float[] cos, float[] sin) {
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headDim;
            for (int i = 0; i < half; i++) {
                float x0 = x[base + i];
                float x1 = x[base + i + half];
                x[base + i] = x0 * cos[i] - x1 * sin[i];
                x[base + i + half] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }
}
