package dev.ingot.testkit.reference;

/**
 * Qwen2RMSNorm / Qwen3RMSNorm: {@code weight * x / sqrt(mean(x^2) + eps)}. Transformers upcasts to float32 for the
 * statistics, casts the normalised vector back to the activation dtype and only then multiplies by the weight; here
 * everything stays in double. No {@code 1 + weight} offset (that is Gemma), no mean subtraction (that is LayerNorm).
 */
final class RmsNorm {

    private RmsNorm() {}

    /** Normalises {@code x[from, from + n)} with {@code weight[0, n)}, returning a new array of length n. */
    static double[] apply(double[] x, int from, int n, float[] weight, double eps) {
        double sumSquares = 0;
        for (int i = 0; i < n; i++) {
            sumSquares += x[from + i] * x[from + i];
        }
        double inv = 1.0 / Math.sqrt(sumSquares / n + eps);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = weight[i] * (x[from + i] * inv);
        }
        return out;
    }

    static double[] apply(double[] x, float[] weight, double eps) {
        return apply(x, 0, x.length, weight, eps);
    }
}
