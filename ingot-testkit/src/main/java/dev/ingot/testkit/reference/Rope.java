package dev.ingot.testkit.reference;

/**
 * Rotary position embedding in the "rotate half" (GPT-NeoX) layout transformers uses for Qwen2/Qwen3: dimension
 * {@code i} of a head is paired with dimension {@code i + headDim/2} (not with its neighbour {@code i+1} as in the
 * interleaved Meta/llama.cpp layout), and both use the frequency {@code invFreq[i]}, because
 * {@code emb = cat(freqs, freqs)} and {@code apply_rotary_pos_emb} computes {@code x*cos + rotate_half(x)*sin} with
 * {@code rotate_half(x) = cat(-x2, x1)}.
 */
final class Rope {

    private final double[] invFreq;

    Rope(QwenConfig c) {
        int half = c.headDim() / 2;
        // compute_default_rope_parameters: 1 / theta^(2i/dim), dim = head_dim (partial_rotary_factor is 1 for Qwen).
        // _compute_linear_scaling_rope_parameters then divides every frequency by the factor.
        double factor = c.ropeScaling() == null ? 1.0 : c.ropeScaling().factor();
        invFreq = new double[half];
        for (int i = 0; i < half; i++) {
            invFreq[i] = 1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / c.headDim()) / factor;
        }
    }

    int headDim() {
        return invFreq.length * 2;
    }

    /** Rotates the head stored at {@code v[from, from + headDim)} in place for position {@code pos}. */
    void rotate(double[] v, int from, int pos) {
        int half = invFreq.length;
        for (int i = 0; i < half; i++) {
            double angle = pos * invFreq[i];
            double cos = Math.cos(angle);
            double sin = Math.sin(angle);
            double a = v[from + i];
            double b = v[from + i + half];
            v[from + i] = a * cos - b * sin;
            v[from + i + half] = b * cos + a * sin;
        }
    }
}
