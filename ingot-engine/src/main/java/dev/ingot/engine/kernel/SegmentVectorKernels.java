package dev.ingot.engine.kernel;

import static dev.ingot.engine.kernel.Lanes.FLOATS;
import static dev.ingot.engine.kernel.Lanes.LANES;
import static dev.ingot.engine.kernel.Lanes.SHORTS;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

/**
 * {@link VectorKernels}' attention dot and axpy over rows stored in a {@link MemorySegment}: the same
 * lanes, fused multiply-adds, lane folding and tail order as the {@code float[]} versions, so an F32 row
 * in a paged cache gives bit for bit the logits a heap cache gave. BF16 rows are widened in registers
 * (a shift into the high half of each int lane). Offsets are in bytes.
 */
final class SegmentVectorKernels {

    private static final ByteOrder ORDER = SegmentScalarKernels.ORDER;

    private SegmentVectorKernels() {}

    static float dotF32(float[] a, int aOffset, MemorySegment b, long bOffset, int n) {
        int bound = n - n % LANES;
        FloatVector acc = FloatVector.zero(FLOATS);
        for (int i = 0; i < bound; i += LANES) {
            acc = FloatVector.fromArray(FLOATS, a, aOffset + i)
                    .fma(FloatVector.fromMemorySegment(FLOATS, b, bOffset + (long) i * Float.BYTES, ORDER), acc);
        }
        float sum = Lanes.sumLanes(acc);
        for (int i = bound; i < n; i++) {
            sum = Math.fma(a[aOffset + i], b.get(SegmentScalarKernels.F32, bOffset + (long) i * Float.BYTES), sum);
        }
        return sum;
    }

    static float dotBf16(float[] a, int aOffset, MemorySegment b, long bOffset, int n) {
        int bound = n - n % LANES;
        FloatVector acc = FloatVector.zero(FLOATS);
        for (int i = 0; i < bound; i += LANES) {
            acc = FloatVector.fromArray(FLOATS, a, aOffset + i).fma(bf16(b, bOffset + (long) i * Short.BYTES), acc);
        }
        float sum = Lanes.sumLanes(acc);
        for (int i = bound; i < n; i++) {
            sum = Math.fma(a[aOffset + i], SegmentScalarKernels.bf16(b, bOffset + (long) i * Short.BYTES), sum);
        }
        return sum;
    }

    static void axpyF32(float alpha, MemorySegment x, long xOffset, float[] y, int yOffset, int n) {
        int bound = n - n % LANES;
        FloatVector alphas = FloatVector.broadcast(FLOATS, alpha);
        for (int i = 0; i < bound; i += LANES) {
            FloatVector.fromMemorySegment(FLOATS, x, xOffset + (long) i * Float.BYTES, ORDER)
                    .fma(alphas, FloatVector.fromArray(FLOATS, y, yOffset + i))
                    .intoArray(y, yOffset + i);
        }
        for (int i = bound; i < n; i++) {
            y[yOffset + i] = Math.fma(alpha, x.get(SegmentScalarKernels.F32, xOffset + (long) i * Float.BYTES), y[yOffset + i]);
        }
    }

    static void axpyBf16(float alpha, MemorySegment x, long xOffset, float[] y, int yOffset, int n) {
        int bound = n - n % LANES;
        FloatVector alphas = FloatVector.broadcast(FLOATS, alpha);
        for (int i = 0; i < bound; i += LANES) {
            bf16(x, xOffset + (long) i * Short.BYTES)
                    .fma(alphas, FloatVector.fromArray(FLOATS, y, yOffset + i))
                    .intoArray(y, yOffset + i);
        }
        for (int i = bound; i < n; i++) {
            y[yOffset + i] = Math.fma(alpha, SegmentScalarKernels.bf16(x, xOffset + (long) i * Short.BYTES), y[yOffset + i]);
        }
    }

    /**
     * {@link SegmentScalarKernels#blockScores} with {@link #dotF32}'s arithmetic per score, four positions at
     * a time: each query chunk is loaded once for four key rows, and the four dot products are independent
     * chains of fused multiply-adds the CPU overlaps (one position at a time, every FMA waited on the one
     * before). Each dot still sums its own lanes in its own order, so every score keeps its bits. Eight
     * positions at a time, their sums folded together by sumLanes' tree in one pass, were tried and not kept:
     * with eight accumulators plus BF16 widening C2 ran out of registers, and that variant took twice as long
     * (at times fifty times, as if left uncompiled). The element type is decided once per block: with both types
     * in one loop, a JVM that ran both (the benchmarks; a test suite) compiled both into it and the loop got slower.
     */
    static void blockScores(boolean bf16, float[] q, int qOffset, int heads, int headDim, int group, float scale,
            MemorySegment block, long keyOffset, long rowBytes, int slots, float[] scores, int scoreOffset, int scoreStride) {
        if (bf16) {
            blockScoresBf16(q, qOffset, heads, headDim, group, scale, block, keyOffset, rowBytes, slots, scores, scoreOffset, scoreStride);
        } else {
            blockScoresF32(q, qOffset, heads, headDim, group, scale, block, keyOffset, rowBytes, slots, scores, scoreOffset, scoreStride);
        }
    }

    private static void blockScoresF32(float[] q, int qOffset, int heads, int headDim, int group, float scale,
            MemorySegment block, long keyOffset, long rowBytes, int slots, float[] scores, int scoreOffset, int scoreStride) {
        int bound = headDim - headDim % LANES;
        long headBytes = (long) headDim * Float.BYTES;
        for (int h = 0; h < heads; h++) {
            int qAt = qOffset + h * headDim;
            long keys = keyOffset + (h / group) * headBytes;
            int at = scoreOffset + h * scoreStride;
            int s = 0;
            for (; s + 4 <= slots; s += 4) {
                long r0 = keys + s * rowBytes;
                long r1 = r0 + rowBytes;
                long r2 = r1 + rowBytes;
                long r3 = r2 + rowBytes;
                FloatVector a0 = FloatVector.zero(FLOATS);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector qv = FloatVector.fromArray(FLOATS, q, qAt + i);
                    long b = (long) i * Float.BYTES;
                    a0 = qv.fma(FloatVector.fromMemorySegment(FLOATS, block, r0 + b, ORDER), a0);
                    a1 = qv.fma(FloatVector.fromMemorySegment(FLOATS, block, r1 + b, ORDER), a1);
                    a2 = qv.fma(FloatVector.fromMemorySegment(FLOATS, block, r2 + b, ORDER), a2);
                    a3 = qv.fma(FloatVector.fromMemorySegment(FLOATS, block, r3 + b, ORDER), a3);
                }
                scores[at + s] = tailF32(q, qAt, block, r0, bound, headDim, Lanes.sumLanes(a0)) * scale;
                scores[at + s + 1] = tailF32(q, qAt, block, r1, bound, headDim, Lanes.sumLanes(a1)) * scale;
                scores[at + s + 2] = tailF32(q, qAt, block, r2, bound, headDim, Lanes.sumLanes(a2)) * scale;
                scores[at + s + 3] = tailF32(q, qAt, block, r3, bound, headDim, Lanes.sumLanes(a3)) * scale;
            }
            for (; s < slots; s++) {
                scores[at + s] = dotF32(q, qAt, block, keys + s * rowBytes, headDim) * scale;
            }
        }
    }

    /**
     * BF16 keys: positions outer, four rows walked front to back together with every head of them, where the
     * F32 kernel walks head by head down the block at a row's stride. Over a cache larger than the CPU's caches
     * (12 layers x 1,008 positions of the 110M) this took 0.56-0.60x the time of the head-by-head walk for BF16,
     * and 1.1-1.2x for F32, which therefore keeps it (bench/RESULTS.md, "Decode step fixed costs").
     */
    private static void blockScoresBf16(float[] q, int qOffset, int heads, int headDim, int group, float scale,
            MemorySegment block, long keyOffset, long rowBytes, int slots, float[] scores, int scoreOffset, int scoreStride) {
        int bound = headDim - headDim % LANES;
        long headBytes = (long) headDim * Short.BYTES;
        int s = 0;
        for (; s + 4 <= slots; s += 4) {
            long r0 = keyOffset + s * rowBytes;
            long r1 = r0 + rowBytes;
            long r2 = r1 + rowBytes;
            long r3 = r2 + rowBytes;
            for (int h = 0; h < heads; h++) {
                int qAt = qOffset + h * headDim;
                long head = (h / group) * headBytes;
                int at = scoreOffset + h * scoreStride + s;
                FloatVector a0 = FloatVector.zero(FLOATS);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector qv = FloatVector.fromArray(FLOATS, q, qAt + i);
                    long b = head + (long) i * Short.BYTES;
                    a0 = qv.fma(bf16(block, r0 + b), a0);
                    a1 = qv.fma(bf16(block, r1 + b), a1);
                    a2 = qv.fma(bf16(block, r2 + b), a2);
                    a3 = qv.fma(bf16(block, r3 + b), a3);
                }
                scores[at] = tailBf16(q, qAt, block, r0 + head, bound, headDim, Lanes.sumLanes(a0)) * scale;
                scores[at + 1] = tailBf16(q, qAt, block, r1 + head, bound, headDim, Lanes.sumLanes(a1)) * scale;
                scores[at + 2] = tailBf16(q, qAt, block, r2 + head, bound, headDim, Lanes.sumLanes(a2)) * scale;
                scores[at + 3] = tailBf16(q, qAt, block, r3 + head, bound, headDim, Lanes.sumLanes(a3)) * scale;
            }
        }
        for (; s < slots; s++) {
            for (int h = 0; h < heads; h++) {
                scores[scoreOffset + h * scoreStride + s] =
                        dotBf16(q, qOffset + h * headDim, block, keyOffset + s * rowBytes + (h / group) * headBytes, headDim) * scale;
            }
        }
    }

    /** {@link #dotF32}'s scalar tail: elements {@code [bound, n)} added to the folded lanes in order. */
    private static float tailF32(float[] a, int aOffset, MemorySegment b, long bOffset, int bound, int n, float sum) {
        for (int i = bound; i < n; i++) {
            sum = Math.fma(a[aOffset + i], b.get(SegmentScalarKernels.F32, bOffset + (long) i * Float.BYTES), sum);
        }
        return sum;
    }

    private static float tailBf16(float[] a, int aOffset, MemorySegment b, long bOffset, int bound, int n, float sum) {
        for (int i = bound; i < n; i++) {
            sum = Math.fma(a[aOffset + i], SegmentScalarKernels.bf16(b, bOffset + (long) i * Short.BYTES), sum);
        }
        return sum;
    }

    /**
     * {@link SegmentScalarKernels#blockValues} with {@link #axpyF32}'s arithmetic per element: each output
     * element still receives one fused multiply-add per position, in position order, so the sums keep their
     * bits. But the loops are turned around: per head, four chunks of the output stay in registers while
     * the block's positions are added into them, then are stored once — instead of a load, an FMA and a
     * store of the output per position. Four chunks rather than one so that four chains overlap. (F32; BF16
     * walks positions outer, see {@link #blockValuesBf16}.)
     */
    static void blockValues(boolean bf16, float[] weights, int weightOffset, int weightStride, int heads,
            int headDim, int group, MemorySegment block, long valueOffset, long rowBytes, int slots, float[] out, int outOffset) {
        if (bf16) {
            blockValuesBf16(weights, weightOffset, weightStride, heads, headDim, group, block, valueOffset, rowBytes, slots, out, outOffset);
        } else {
            blockValuesF32(weights, weightOffset, weightStride, heads, headDim, group, block, valueOffset, rowBytes, slots, out, outOffset);
        }
    }

    private static void blockValuesF32(float[] weights, int weightOffset, int weightStride, int heads,
            int headDim, int group, MemorySegment block, long valueOffset, long rowBytes, int slots, float[] out, int outOffset) {
        int bound = headDim - headDim % LANES;
        int bound4 = headDim - headDim % (4 * LANES);
        long headBytes = (long) headDim * Float.BYTES;
        for (int h = 0; h < heads; h++) {
            long values = valueOffset + (h / group) * headBytes;
            int w = weightOffset + h * weightStride;
            int o = outOffset + h * headDim;
            int i = 0;
            for (; i < bound4; i += 4 * LANES) {
                FloatVector y0 = FloatVector.fromArray(FLOATS, out, o + i);
                FloatVector y1 = FloatVector.fromArray(FLOATS, out, o + i + LANES);
                FloatVector y2 = FloatVector.fromArray(FLOATS, out, o + i + 2 * LANES);
                FloatVector y3 = FloatVector.fromArray(FLOATS, out, o + i + 3 * LANES);
                long row = values + (long) i * Float.BYTES;
                for (int s = 0; s < slots; s++, row += rowBytes) {
                    FloatVector alpha = FloatVector.broadcast(FLOATS, weights[w + s]);
                    y0 = FloatVector.fromMemorySegment(FLOATS, block, row, ORDER).fma(alpha, y0);
                    y1 = FloatVector.fromMemorySegment(FLOATS, block, row + LANES * Float.BYTES, ORDER).fma(alpha, y1);
                    y2 = FloatVector.fromMemorySegment(FLOATS, block, row + 2 * LANES * Float.BYTES, ORDER).fma(alpha, y2);
                    y3 = FloatVector.fromMemorySegment(FLOATS, block, row + 3 * LANES * Float.BYTES, ORDER).fma(alpha, y3);
                }
                y0.intoArray(out, o + i);
                y1.intoArray(out, o + i + LANES);
                y2.intoArray(out, o + i + 2 * LANES);
                y3.intoArray(out, o + i + 3 * LANES);
            }
            for (; i < bound; i += LANES) {
                FloatVector y = FloatVector.fromArray(FLOATS, out, o + i);
                long row = values + (long) i * Float.BYTES;
                for (int s = 0; s < slots; s++, row += rowBytes) {
                    y = FloatVector.fromMemorySegment(FLOATS, block, row, ORDER).fma(FloatVector.broadcast(FLOATS, weights[w + s]), y);
                }
                y.intoArray(out, o + i);
            }
            for (; i < headDim; i++) {
                float y = out[o + i];
                long at = values + (long) i * Float.BYTES;
                for (int s = 0; s < slots; s++, at += rowBytes) {
                    y = Math.fma(weights[w + s], block.get(SegmentScalarKernels.F32, at), y);
                }
                out[o + i] = y;
            }
        }
    }

    /**
     * BF16 values, positions outer like {@link #blockScoresBf16}: per four rows and head, each output chunk
     * is loaded, gets the four positions' fused multiply-adds in position order, and is stored.
     */
    private static void blockValuesBf16(float[] weights, int weightOffset, int weightStride, int heads,
            int headDim, int group, MemorySegment block, long valueOffset, long rowBytes, int slots, float[] out, int outOffset) {
        int bound = headDim - headDim % LANES;
        long headBytes = (long) headDim * Short.BYTES;
        int s = 0;
        for (; s + 4 <= slots; s += 4) {
            long r0 = valueOffset + s * rowBytes;
            long r1 = r0 + rowBytes;
            long r2 = r1 + rowBytes;
            long r3 = r2 + rowBytes;
            for (int h = 0; h < heads; h++) {
                long head = (h / group) * headBytes;
                int w = weightOffset + h * weightStride + s;
                int o = outOffset + h * headDim;
                FloatVector w0 = FloatVector.broadcast(FLOATS, weights[w]);
                FloatVector w1 = FloatVector.broadcast(FLOATS, weights[w + 1]);
                FloatVector w2 = FloatVector.broadcast(FLOATS, weights[w + 2]);
                FloatVector w3 = FloatVector.broadcast(FLOATS, weights[w + 3]);
                int i = 0;
                for (; i < bound; i += LANES) {
                    long b = head + (long) i * Short.BYTES;
                    FloatVector y = FloatVector.fromArray(FLOATS, out, o + i);
                    y = bf16(block, r0 + b).fma(w0, y);
                    y = bf16(block, r1 + b).fma(w1, y);
                    y = bf16(block, r2 + b).fma(w2, y);
                    y = bf16(block, r3 + b).fma(w3, y);
                    y.intoArray(out, o + i);
                }
                for (; i < headDim; i++) {
                    long b = head + (long) i * Short.BYTES;
                    float y = out[o + i];
                    y = Math.fma(weights[w], SegmentScalarKernels.bf16(block, r0 + b), y);
                    y = Math.fma(weights[w + 1], SegmentScalarKernels.bf16(block, r1 + b), y);
                    y = Math.fma(weights[w + 2], SegmentScalarKernels.bf16(block, r2 + b), y);
                    y = Math.fma(weights[w + 3], SegmentScalarKernels.bf16(block, r3 + b), y);
                    out[o + i] = y;
                }
            }
        }
        for (; s < slots; s++) {
            for (int h = 0; h < heads; h++) {
                axpyBf16(weights[weightOffset + h * weightStride + s], block, valueOffset + s * rowBytes + (h / group) * headBytes,
                        out, outOffset + h * headDim, headDim);
            }
        }
    }

    private static FloatVector bf16(MemorySegment data, long byteOffset) {
        return Lanes.bf16ToFloat(ShortVector.fromMemorySegment(SHORTS, data, byteOffset, ORDER));
    }
}
