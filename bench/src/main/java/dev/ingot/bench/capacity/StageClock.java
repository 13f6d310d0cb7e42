package dev.ingot.bench.capacity;

import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kernel.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.util.function.IntConsumer;

/**
 * Kernels that add up the wall time of the matmuls and of the parallel loops (which at these batch sizes and
 * contexts are the model's attention: rows dealt out to the kernel threads), so a run splits into matmul,
 * attention and everything else. Only the scheduler thread calls these two; the rest passes straight through.
 */
final class StageClock implements Kernels {

    private final Kernels delegate;
    private volatile long matmulNanos;
    private volatile long parallelNanos;

    StageClock(Kernels delegate) {
        this.delegate = delegate;
    }

    long matmulNanos() {
        return matmulNanos;
    }

    long attentionNanos() {
        return parallelNanos;
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, float[] out, int batch) {
        long start = System.nanoTime();
        delegate.matmul(w, x, out, batch);
        matmulNanos += System.nanoTime() - start;
    }

    @Override
    public void matmul(WeightMatrix[] ws, float[] x, float[][] outs, int batch) {
        long start = System.nanoTime();
        delegate.matmul(ws, x, outs, batch);
        matmulNanos += System.nanoTime() - start;
    }

    @Override
    public void parallelFor(int tasks, IntConsumer task) {
        long start = System.nanoTime();
        delegate.parallelFor(tasks, task);
        parallelNanos += System.nanoTime() - start;
    }

    @Override
    public int threads() {
        return delegate.threads();
    }

    @Override
    public float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        return delegate.dot(a, aOffset, b, bOffset, n);
    }

    @Override
    public void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int n) {
        delegate.axpy(alpha, x, xOffset, y, yOffset, n);
    }

    @Override
    public void blockScores(boolean bf16, float[] q, int qOffset, int heads, int headDim, int group, float scale, MemorySegment block,
            long keyOffset, long rowBytes, int slots, float[] scores, int scoreOffset, int scoreStride) {
        delegate.blockScores(bf16, q, qOffset, heads, headDim, group, scale, block, keyOffset, rowBytes, slots, scores, scoreOffset,
                scoreStride);
    }

    @Override
    public void blockValues(boolean bf16, float[] weights, int weightOffset, int weightStride, int heads, int headDim, int group,
            MemorySegment block, long valueOffset, long rowBytes, int slots, float[] out, int outOffset) {
        delegate.blockValues(bf16, weights, weightOffset, weightStride, heads, headDim, group, block, valueOffset, rowBytes, slots,
                out, outOffset);
    }

    @Override
    public void add(float[] x, float[] y, int n) {
        delegate.add(x, y, n);
    }

    @Override
    public void scaleByWeight(float[] x, int xOffset, float scale, float[] weight, float[] out, int outOffset, int n) {
        delegate.scaleByWeight(x, xOffset, scale, weight, out, outOffset, n);
    }

    @Override
    public void swiglu(float[] gate, float[] up, int n) {
        delegate.swiglu(gate, up, n);
    }

    @Override
    public void geglu(float[] gate, float[] up, int n) {
        delegate.geglu(gate, up, n);
    }

    @Override
    public float expShiftedSum(float[] x, int offset, int n, float shift) {
        return delegate.expShiftedSum(x, offset, n, shift);
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
