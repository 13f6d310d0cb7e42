package dev.ingot.engine.kernel;

import static dev.ingot.engine.kernel.Lanes.FLOATS;
import static dev.ingot.engine.kernel.Lanes.LANES;

import jdk.incubator.vector.FloatVector;

/**
 * The serving kernels: Vector API FMAs over weights read in place (F32, or BF16/F16 widened in
 * registers), rows split across a fixed pool of platform threads.
 *
 * <p>Safe for concurrent callers: each parallel call carries its own work list (see {@link WorkerPool}).
 * Calls whose weights are small run entirely on the calling thread, because waking a helper costs
 * more than a 64-wide matmul.
 */
public final class VectorKernels implements Kernels {

    /**
     * Below this many weight bytes times batch a call runs on the calling thread. Waking a parked
     * helper costs tens of microseconds; one core reads roughly 10 GB/s, so ~20 us of work is ~256 KiB.
     */
    static final long INLINE_WORK_BYTES = 256 * 1024;
    /** Blocks per thread: more than one so a helper that starts late, or a busy core, does not leave the others idle. */
    private static final int BLOCKS_PER_THREAD = 4;
    /**
     * Row blocks start at multiples of this: {@link TypedRowBlock}'s row tile, or with panels a panel of
     * {@link WeightPanels} (a multiple of 4: a block that split a panel would compute it twice).
     */
    private static final int ROW_ALIGN = !WeightPanels.WANTED.isEmpty() ? Math.max(4, WeightPanels.HEIGHT) : 4;

    private final int threads;
    private final WorkerPool pool;

    /** One thread per available processor. */
    public VectorKernels() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public VectorKernels(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("kernel threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new WorkerPool(threads, "ingot-kernel");
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public void parallelFor(int tasks, java.util.function.IntConsumer task) {
        if (pool == null || tasks < 2) {
            for (int i = 0; i < tasks; i++) {
                task.accept(i);
            }
        } else {
            pool.run(tasks, task);
        }
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, float[] out, int batch) {
        matmul(new WeightMatrix[] {w}, x, new float[][] {out}, batch);
    }

    @Override
    public void matmul(WeightMatrix[] ws, float[] x, float[][] outs, int batch) {
        RowSpace space = RowSpace.check(ws, x, outs, batch);
        int cols = ws[0].cols();
        // Quantized once here for all threads and matrices of the call, as ggml quantizes the activations once per matmul.
        Q8Activations q8 = space.wants(RowBlockMatmul.Activations.Q8_0) ? Q8Activations.of(x, batch, cols) : null;
        Q8KActivations q8k = space.wants(RowBlockMatmul.Activations.Q8_K) ? Q8KActivations.of(x, batch, cols) : null;
        if (pool == null || space.weightBytes() * batch < INLINE_WORK_BYTES) {
            space.run(x, q8, q8k, outs, batch, 0, space.totalRows());
            return;
        }
        int totalRows = space.totalRows();
        int blocks = Math.max(1, Math.min(threads * BLOCKS_PER_THREAD, totalRows / ROW_ALIGN));
        pool.run(blocks, i -> space.run(x, q8, q8k, outs, batch, blockStart(i, blocks, totalRows), blockStart(i + 1, blocks, totalRows)));
    }

    /** First global row of block {@code i} of {@code blocks}: equal shares, aligned to the row tile. */
    private static int blockStart(int i, int blocks, int totalRows) {
        if (i >= blocks) {
            return totalRows;
        }
        int start = (int) ((long) i * totalRows / blocks);
        return start - start % ROW_ALIGN;
    }

    @Override
    public float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        int bound = n - n % LANES;
        FloatVector acc = FloatVector.zero(FLOATS);
        for (int i = 0; i < bound; i += LANES) {
            acc = FloatVector.fromArray(FLOATS, a, aOffset + i).fma(FloatVector.fromArray(FLOATS, b, bOffset + i), acc);
        }
        float sum = Lanes.sumLanes(acc);
        for (int i = bound; i < n; i++) {
            sum = Math.fma(a[aOffset + i], b[bOffset + i], sum);
        }
        return sum;
    }

    @Override
    public void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int n) {
        int bound = n - n % LANES;
        FloatVector alphas = FloatVector.broadcast(FLOATS, alpha);
        for (int i = 0; i < bound; i += LANES) {
            FloatVector.fromArray(FLOATS, x, xOffset + i)
                    .fma(alphas, FloatVector.fromArray(FLOATS, y, yOffset + i))
                    .intoArray(y, yOffset + i);
        }
        for (int i = bound; i < n; i++) {
            y[yOffset + i] = Math.fma(alpha, x[xOffset + i], y[yOffset + i]);
        }
    }

    @Override
    public float dotF32(float[] a, int aOffset, java.lang.foreign.MemorySegment b, long bOffset, int n) {
        return SegmentVectorKernels.dotF32(a, aOffset, b, bOffset, n);
    }

    @Override
    public float dotBf16(float[] a, int aOffset, java.lang.foreign.MemorySegment b, long bOffset, int n) {
        return SegmentVectorKernels.dotBf16(a, aOffset, b, bOffset, n);
    }

    @Override
    public void axpyF32(float alpha, java.lang.foreign.MemorySegment x, long xOffset, float[] y, int yOffset, int n) {
        SegmentVectorKernels.axpyF32(alpha, x, xOffset, y, yOffset, n);
    }

    @Override
    public void axpyBf16(float alpha, java.lang.foreign.MemorySegment x, long xOffset, float[] y, int yOffset, int n) {
        SegmentVectorKernels.axpyBf16(alpha, x, xOffset, y, yOffset, n);
    }

    @Override
    public void blockScores(boolean bf16, float[] q, int qOffset, int heads, int headDim, int group, float scale,
            java.lang.foreign.MemorySegment block, long keysOffset, int positions, int slot, int slots, float[] scores,
            int scoreOffset, int scoreStride) {
        SegmentVectorKernels.blockScores(bf16, q, qOffset, heads, headDim, group, scale, block, keysOffset, positions, slot,
                slots, scores, scoreOffset, scoreStride);
    }

    /**
     * Eight positions at a time, each lane its own position's chain over the key's elements (gathered a row apart):
     * the scalar chain's bits at close to the speed of the lane-folded dot it replaced.
     */
    @Override
    public void rowScores(float[] q, int qOffset, float[] keys, int keyOffset, int rowStride, int count, int n, float scale,
            float[] scores, int scoreOffset) {
        int[] rows = new int[LANES];
        for (int j = 0; j < LANES; j++) {
            rows[j] = j * rowStride;
        }
        int i = 0;
        for (; i + LANES <= count; i += LANES) {
            int at = keyOffset + i * rowStride;
            FloatVector acc = FloatVector.zero(FLOATS);
            for (int d = 0; d < n; d++) {
                acc = FloatVector.fromArray(FLOATS, keys, at + d, rows, 0).fma(FloatVector.broadcast(FLOATS, q[qOffset + d]), acc);
            }
            acc.mul(scale).intoArray(scores, scoreOffset + i);
        }
        for (; i < count; i++) {
            scores[scoreOffset + i] = Kernels.scoreDot(q, qOffset, keys, keyOffset + i * rowStride, n) * scale;
        }
    }

    @Override
    public void blockValues(boolean bf16, float[] weights, int weightOffset, int weightStride, int heads, int headDim,
            int group, java.lang.foreign.MemorySegment block, long valueOffset, long rowBytes, int slots, float[] out, int outOffset) {
        SegmentVectorKernels.blockValues(bf16, weights, weightOffset, weightStride, heads, headDim, group, block, valueOffset,
                rowBytes, slots, out, outOffset);
    }

    @Override
    public void add(float[] x, float[] y, int n) {
        int bound = n - n % LANES;
        for (int i = 0; i < bound; i += LANES) {
            FloatVector.fromArray(FLOATS, y, i).add(FloatVector.fromArray(FLOATS, x, i)).intoArray(y, i);
        }
        for (int i = bound; i < n; i++) {
            y[i] += x[i];
        }
    }

    @Override
    public void scaleByWeight(float[] x, int xOffset, float scale, float[] weight, float[] out, int outOffset, int n) {
        int bound = n - n % LANES;
        for (int i = 0; i < bound; i += LANES) {
            FloatVector.fromArray(FLOATS, x, xOffset + i).mul(scale)
                    .mul(FloatVector.fromArray(FLOATS, weight, i))
                    .intoArray(out, outOffset + i);
        }
        for (int i = bound; i < n; i++) {
            out[outOffset + i] = weight[i] * (scale * x[xOffset + i]);
        }
    }

    /** SwiGLU with {@link FastExp}: the scalar default spends most of a small model's non-matmul time in {@code Math.exp}. */
    @Override
    public void swiglu(float[] gate, float[] up, int n) {
        int bound = n - n % LANES;
        for (int i = 0; i < bound; i += LANES) {
            FloatVector g = FloatVector.fromArray(FLOATS, gate, i);
            g.div(FastExp.exp(g.neg()).add(1f)).mul(FloatVector.fromArray(FLOATS, up, i)).intoArray(gate, i);
        }
        for (int i = bound; i < n; i++) {
            float g = gate[i];
            gate[i] = g / (1f + FastExp.exp(-g)) * up[i];
        }
    }

    /** Lane-wise sums folded by {@link Lanes#sumLanes}, then the tail in order: the order depends on {@code n} only. */
    @Override
    public float expShiftedSum(float[] x, int offset, int n, float shift) {
        int bound = n - n % LANES;
        FloatVector sums = FloatVector.zero(FLOATS);
        for (int i = 0; i < bound; i += LANES) {
            FloatVector e = FastExp.exp(FloatVector.fromArray(FLOATS, x, offset + i).sub(shift));
            e.intoArray(x, offset + i);
            sums = sums.add(e);
        }
        float sum = Lanes.sumLanes(sums);
        for (int i = offset + bound; i < offset + n; i++) {
            x[i] = FastExp.exp(x[i] - shift);
            sum += x[i];
        }
        return sum;
    }

    @Override
    public String describe() {
        return "Vector API, " + Lanes.shape() + ", " + threads + (threads == 1 ? " thread" : " threads");
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.close();
        }
    }
}
