package dev.ingot.engine.model;

import dev.ingot.spi.model.RopeScaling;
import dev.ingot.spi.model.blueprint.Rope;
import java.util.Arrays;

/**
 * RoPE over the first {@code rotaryDims} elements of each head: element {@code i} rotates with
 * {@code i + rotaryDims/2} (rotate-half) or {@code 2i} with {@code 2i+1} (interleaved); the rest of
 * the head passes unchanged (partial rotary).
 */
final class RotaryEmbedding {

    private final int headDim;
    private final int rotaryDims;
    private final Rope.Pairing pairing;
    private final double[] inverseFrequencies;
    private final int maxPositions;

    /**
     * Cosines and sines of positions {@code [0, positions)}, {@code headDim/2} of each per position.
     * One immutable object so a reader never sees the cosines of one growth with the sines of another.
     */
    private record Table(int positions, float[] cos, float[] sin) {}

    /** Grown by doubling to the longest position seen; every entry is computed once, always the same way. */
    private volatile Table table = new Table(0, new float[0], new float[0]);

    RotaryEmbedding(Rope rope, int headDim, int maxPositions) {
        this.headDim = headDim;
        this.rotaryDims = rope.rotaryDims();
        this.pairing = rope.pairing();
        this.maxPositions = maxPositions;
        int half = rotaryDims / 2;
        inverseFrequencies = new double[half];
        for (int i = 0; i < half; i++) {
            double base = 1.0 / Math.pow(rope.theta(), (2.0 * i) / rotaryDims);
            inverseFrequencies[i] = scaled(base, rope.scaling());
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

    /**
     * The table covering {@code position}. Each entry is the same float whichever growth computed it,
     * so a row's result does not depend on what other rows (or calls) grew the table before.
     */
    private Table covering(int position) {
        Table t = table;
        if (position < t.positions()) {
            return t;
        }
        synchronized (this) {
            t = table;
            if (position < t.positions()) {
                return t;
            }
            int positions = Math.max(64, t.positions());
            while (positions <= position) {
                positions *= 2;
            }
            positions = Math.max(position + 1, Math.min(positions, maxPositions));
            int half = inverseFrequencies.length;
            float[] cos = Arrays.copyOf(t.cos(), positions * half);
            float[] sin = Arrays.copyOf(t.sin(), positions * half);
            for (int p = t.positions(); p < positions; p++) {
                for (int i = 0; i < half; i++) {
                    double angle = p * inverseFrequencies[i];
                    cos[p * half + i] = (float) Math.cos(angle);
                    sin[p * half + i] = (float) Math.sin(angle);
                }
            }
            t = new Table(positions, cos, sin);
            table = t;
            return t;
        }
    }

    /** Rotates {@code heads} consecutive heads starting at {@code offset} to {@code position}. */
    void rotate(float[] x, int offset, int heads, int position) {
        Table t = covering(position);
        float[] cos = t.cos();
        float[] sin = t.sin();
        int half = rotaryDims / 2;
        int angles = position * half;
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headDim;
            if (pairing == Rope.Pairing.HALVES) {
                // unit-stride pairs (i, i + half): the loop shape C2 vectorises
                for (int i = 0; i < half; i++) {
                    float x0 = x[base + i];
                    float x1 = x[base + i + half];
                    float c = cos[angles + i];
                    float s = sin[angles + i];
                    x[base + i] = x0 * c - x1 * s;
                    x[base + i + half] = x0 * s + x1 * c;
                }
            } else {
                for (int i = 0; i < half; i++) {
                    float x0 = x[base + 2 * i];
                    float x1 = x[base + 2 * i + 1];
                    float c = cos[angles + i];
                    float s = sin[angles + i];
                    x[base + 2 * i] = x0 * c - x1 * s;
                    x[base + 2 * i + 1] = x0 * s + x1 * c;
                }
            }
        }
    }
}
