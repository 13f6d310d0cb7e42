package dev.ingot.bench.kernel;

import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kernel.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.util.function.IntConsumer;

/**
 * Kernels that pass every call to another set: the base of the benchmarks' instrumented kernels, which
 * override only what they time or change. Every method of {@link Kernels} is forwarded, defaults included,
 * so a kernel the delegate overrides (a vector {@code geglu}, a threaded {@code parallelFor}) is never
 * replaced by the interface's scalar default behind a benchmark's back.
 */
public abstract class ForwardingKernels implements Kernels {

    protected final Kernels delegate;

    protected ForwardingKernels(Kernels delegate) {
        this.delegate = delegate;
    }

    @Override
    public void matmul(WeightMatrix w, float[] x, float[] out, int batch) {
        delegate.matmul(w, x, out, batch);
    }

    @Override
    public void matmul(WeightMatrix[] ws, float[] x, float[][] outs, int batch) {
        delegate.matmul(ws, x, outs, batch);
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
    public float dotF32(float[] a, int aOffset, MemorySegment b, long bOffset, int n) {
        return delegate.dotF32(a, aOffset, b, bOffset, n);
    }

    @Override
    public float dotBf16(float[] a, int aOffset, MemorySegment b, long bOffset, int n) {
        return delegate.dotBf16(a, aOffset, b, bOffset, n);
    }

    @Override
    public void axpyF32(float alpha, MemorySegment x, long xOffset, float[] y, int yOffset, int n) {
        delegate.axpyF32(alpha, x, xOffset, y, yOffset, n);
    }

    @Override
    public void axpyBf16(float alpha, MemorySegment x, long xOffset, float[] y, int yOffset, int n) {
        delegate.axpyBf16(alpha, x, xOffset, y, yOffset, n);
    }

    @Override
    public void blockScores(boolean bf16, float[] q, int qOffset, int heads, int headDim, int group, float scale, MemorySegment block,
            long keysOffset, int positions, int slot, int slots, float[] scores, int scoreOffset, int scoreStride) {
        delegate.blockScores(bf16, q, qOffset, heads, headDim, group, scale, block, keysOffset, positions, slot, slots, scores,
                scoreOffset, scoreStride);
    }

    @Override
    public void blockValues(boolean bf16, float[] weights, int weightOffset, int weightStride, int heads, int headDim, int group,
            MemorySegment block, long valueOffset, long rowBytes, int slots, float[] out, int outOffset) {
        delegate.blockValues(bf16, weights, weightOffset, weightStride, heads, headDim, group, block, valueOffset, rowBytes, slots,
                out, outOffset);
    }

    @Override
    public void parallelFor(int tasks, IntConsumer task) {
        delegate.parallelFor(tasks, task);
    }

    @Override
    public int threads() {
        return delegate.threads();
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
