package dev.ingot.engine.kernel;

/**
 * The dense linear algebra the model needs. Activations are flat heap {@code float[]}s: a batch of
 * {@code batch} vectors of length {@code cols} is {@code x[b * cols + c]}. Implementations must be
 * thread-safe (several models may share one) and must give the same result for a row whether it is
 * computed alone or in a batch.
 */
public interface Kernels extends AutoCloseable {

    /** The fastest kernels for this machine with one thread per available processor. */
    static Kernels best() {
        return best(Runtime.getRuntime().availableProcessors());
    }

    /**
     * The fastest kernels for this machine ({@link VectorKernels}) using {@code threads} threads.
     *
     * @throws IllegalStateException if the JVM was started without the Vector API incubator module
     */
    static Kernels best(int threads) {
        // Checked before VectorKernels is touched: loading it without the module fails with a bare NoClassDefFoundError.
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            throw new IllegalStateException(
                    "the Vector API module is not loaded: run with --add-modules jdk.incubator.vector");
        }
        return new VectorKernels(threads);
    }

    /** {@code out[b * rows + r] = sum_c w[r, c] * x[b * cols + c]} for every {@code b < batch}, {@code r < rows}. */
    void matmul(WeightMatrix w, float[] x, float[] out, int batch);

    /**
     * Several matrices applied to the same input in one pass over the thread pool (e.g. q, k, v; or
     * gate and up): {@code outs[i]} receives {@code ws[i] * x}. All matrices must have the same column count.
     */
    default void matmul(WeightMatrix[] ws, float[] x, float[][] outs, int batch) {
        for (int i = 0; i < ws.length; i++) {
            matmul(ws[i], x, outs[i], batch);
        }
    }

    /** Dot product of {@code a[aOffset, aOffset+n)} and {@code b[bOffset, bOffset+n)}, used by attention. */
    default float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    /** {@code y[yOffset + i] += alpha * x[xOffset + i]} for {@code i < n}, used by attention. */
    default void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] += alpha * x[xOffset + i];
        }
    }

    /** {@link #dot} with {@code b} as {@code n} F32s (in {@link SegmentScalarKernels#ORDER}) at byte {@code bOffset} of a segment (a paged KV cache). */
    default float dotF32(float[] a, int aOffset, java.lang.foreign.MemorySegment b, long bOffset, int n) {
        return SegmentScalarKernels.dotF32(a, aOffset, b, bOffset, n);
    }

    /** {@link #dot} with {@code b} as {@code n} BF16s at byte {@code bOffset} of a segment, widened exactly. */
    default float dotBf16(float[] a, int aOffset, java.lang.foreign.MemorySegment b, long bOffset, int n) {
        return SegmentScalarKernels.dotBf16(a, aOffset, b, bOffset, n);
    }

    /** {@link #axpy} with {@code x} as {@code n} F32s at byte {@code xOffset} of a segment. */
    default void axpyF32(float alpha, java.lang.foreign.MemorySegment x, long xOffset, float[] y, int yOffset, int n) {
        SegmentScalarKernels.axpyF32(alpha, x, xOffset, y, yOffset, n);
    }

    /** {@link #axpy} with {@code x} as {@code n} BF16s at byte {@code xOffset} of a segment. */
    default void axpyBf16(float alpha, java.lang.foreign.MemorySegment x, long xOffset, float[] y, int yOffset, int n) {
        SegmentScalarKernels.axpyBf16(alpha, x, xOffset, y, yOffset, n);
    }

    /**
     * Attention scores of {@code slots} positions of one paged-cache block, whose keys are stored channel by
     * channel, all heads: see {@link SegmentScalarKernels#blockScores}. Each score is {@link #scoreDot}'s
     * arithmetic (one fused multiply-add per element, in element order) times {@code scale}, bit for bit, in
     * every implementation.
     */
    default void blockScores(boolean bf16, float[] q, int qOffset, int heads, int headDim, int group, float scale,
            java.lang.foreign.MemorySegment block, long keysOffset, int positions, int slot, int slots, float[] scores,
            int scoreOffset, int scoreStride) {
        SegmentScalarKernels.blockScores(bf16, q, qOffset, heads, headDim, group, scale, block, keysOffset, positions, slot,
                slots, scores, scoreOffset, scoreStride);
    }

    /**
     * {@code count} attention scores over heap rows {@code rowStride} apart: {@code scores[scoreOffset + i] =
     * scoreDot(q, qOffset, keys, keyOffset + i * rowStride, n) * scale}, bit for bit in every implementation (the
     * vector one runs one chain per lane over gathered positions).
     */
    default void rowScores(float[] q, int qOffset, float[] keys, int keyOffset, int rowStride, int count, int n, float scale,
            float[] scores, int scoreOffset) {
        for (int i = 0; i < count; i++) {
            scores[scoreOffset + i] = scoreDot(q, qOffset, keys, keyOffset + i * rowStride, n) * scale;
        }
    }

    /**
     * An attention score over heap rows with exactly the paged kernels' arithmetic: {@code sum = fma(a[i], b[i],
     * sum)} for {@code i} from 0 up. The paged cache computes each score as one lane of vertical fused multiply-adds
     * over key channels, so this order is the one both caches can share; the heap cache (the paged one's
     * bit-for-bit reference) scores with it.
     */
    static float scoreDot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum = Math.fma(a[aOffset + i], b[bOffset + i], sum);
        }
        return sum;
    }

    /** The weighted values of {@code slots} positions of one block, all heads: see {@link SegmentScalarKernels#blockValues}. */
    default void blockValues(boolean bf16, float[] weights, int weightOffset, int weightStride, int heads, int headDim,
            int group, java.lang.foreign.MemorySegment block, long valueOffset, long rowBytes, int slots, float[] out, int outOffset) {
        SegmentScalarKernels.blockValues(bf16, weights, weightOffset, weightStride, heads, headDim, group, block, valueOffset,
                rowBytes, slots, out, outOffset);
    }

    /**
     * Runs {@code task.accept(i)} for every {@code i < tasks}, on the kernels' threads when there are several,
     * and returns when all are done: for work outside the matmuls that splits into independent parts (the
     * attention of the rows of a batch). Tasks must not share mutable state.
     */
    default void parallelFor(int tasks, java.util.function.IntConsumer task) {
        for (int i = 0; i < tasks; i++) {
            task.accept(i);
        }
    }

    /** Threads {@link #parallelFor} and the matmuls run on (the caller's included). */
    default int threads() {
        return 1;
    }

    /**
     * {@code y[i] += x[i]} for {@code i < n}: the residual adds. Element-wise, so a row gets the same
     * result in any batch.
     */
    default void add(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] += x[i];
        }
    }

    /**
     * {@code out[outOffset + i] = weight[i] * (scale * x[xOffset + i])} for {@code i < n}: RMSNorm after
     * its sum of squares. Two roundings per element, in this order, in every implementation (no fused
     * multiply-add), so vector and scalar code agree bit for bit.
     */
    default void scaleByWeight(float[] x, int xOffset, float scale, float[] weight, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = weight[i] * (scale * x[xOffset + i]);
        }
    }

    /**
     * {@code gate[i] = gate[i] / (1 + e^-gate[i]) * up[i]} for {@code i < n}: SiLU-gated MLP. Element-wise;
     * implementations may use their own exp but must compute each element the same way wherever it sits.
     */
    default void swiglu(float[] gate, float[] up, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[i];
            gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    }

    /**
     * {@code gate[i] = gelu(gate[i]) * up[i]} for {@code i < n}, GELU in its tanh approximation
     * ({@code 0.5 g (1 + tanh(sqrt(2/pi) (g + 0.044715 g^3)))}, as Gemma's {@code gelu_pytorch_tanh}): GeGLU.
     */
    default void geglu(float[] gate, float[] up, int n) {
        final double c = Math.sqrt(2.0 / Math.PI);
        for (int i = 0; i < n; i++) {
            double g = gate[i];
            gate[i] = (float) (0.5 * g * (1.0 + Math.tanh(c * (g + 0.044715 * g * g * g)))) * up[i];
        }
    }

    /**
     * {@code x[offset + i] = e^(x[offset + i] - shift)} for {@code i < n}, returning their sum: the numerators
     * of a softmax. The summation order may differ between implementations but depends only on {@code n}.
     */
    default float expShiftedSum(float[] x, int offset, int n, float shift) {
        float sum = 0f;
        for (int i = offset; i < offset + n; i++) {
            x[i] = (float) Math.exp(x[i] - shift);
            sum += x[i];
        }
        return sum;
    }

    /** One line for {@code --stats}: implementation, vector width, threads. */
    String describe();

    @Override
    default void close() {}
}
