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
     * {@link SegmentScalarKernels#blockScores} over transposed keys: each lane of a vector is one position, so
     * each score is its own lane's chain of fused multiply-adds over the key's channels, in channel order, with
     * no sum across lanes, bit for bit the scalar chain. Two vectors cover a block of {@code 2 * LANES} positions
     * (16 at 256 bits). When four query heads share a KV head (grouped-query attention, group a multiple of four)
     * they go together, eight chains, each channel's vectors loaded once for the four; other heads go one at a time,
     * so the keys are read in address order (see {@link #headF32}).
     * Positions of the block outside {@code [slot, slot + slots)} are computed too (the block is whole in memory)
     * and not stored. The element type is decided once per block: with both types in one loop, a JVM that ran
     * both compiled both into it and the loop got slower.
     */
    static void blockScores(boolean bf16, float[] q, int qOffset, int heads, int headDim, int group, float scale,
            MemorySegment block, long keysOffset, int positions, int slot, int slots, float[] scores, int scoreOffset,
            int scoreStride) {
        if (positions % (2 * LANES) != 0) {
            blockScoresByChunk(bf16, q, qOffset, heads, headDim, group, scale, block, keysOffset, positions, slot, slots,
                    scores, scoreOffset, scoreStride);
        } else if (bf16) {
            blockScoresBf16(q, qOffset, heads, headDim, group, scale, block, keysOffset, positions, slot, slots, scores,
                    scoreOffset, scoreStride);
        } else {
            blockScoresF32(q, qOffset, heads, headDim, group, scale, block, keysOffset, positions, slot, slots, scores,
                    scoreOffset, scoreStride);
        }
    }

    private static void blockScoresF32(float[] q, int qOffset, int heads, int headDim, int group, float scale,
            MemorySegment block, long keysOffset, int positions, int slot, int slots, float[] scores, int scoreOffset,
            int scoreStride) {
        long channelBytes = (long) positions * Float.BYTES;
        long headBytes = headDim * channelBytes;
        int end = slot + slots;
        float[] spill = null;
        for (int chunk = slot - slot % (2 * LANES); chunk < end; chunk += 2 * LANES) {
            long chunkBytes = keysOffset + (long) chunk * Float.BYTES;
            // Two whole vectors of wanted positions go straight into the scores; a partial pair goes through a spill
            // array (a masked store here made the kernel too large for C2 to inline its vector code).
            boolean whole = chunk >= slot && chunk + 2 * LANES <= end;
            if (!whole && spill == null) {
                spill = new float[4 * 2 * LANES];
            }
            float[] into = whole ? scores : spill;
            int step = whole ? scoreStride : 2 * LANES;
            int h = 0;
            for (; h + 4 <= heads && group % 4 == 0; h += 4) {
                int o = whole ? scoreOffset + h * scoreStride + chunk - slot : 0;
                tileF32Shared(q, qOffset + h * headDim, headDim, block, chunkBytes + (h / group) * headBytes, channelBytes, scale,
                        into, o, step);
                if (!whole) {
                    unspill(spill, 4, scores, scoreOffset + h * scoreStride, scoreStride, chunk, slot, end);
                }
            }
            for (; h < heads; h++) {
                int o = whole ? scoreOffset + h * scoreStride + chunk - slot : 0;
                headF32(q, qOffset + h * headDim, headDim, block, chunkBytes + (h / group) * headBytes, channelBytes, scale, into, o);
                if (!whole) {
                    unspill(spill, 1, scores, scoreOffset + h * scoreStride, scoreStride, chunk, slot, end);
                }
            }
        }
    }

    /** Four query heads that read one KV head: each channel's two vectors loaded once for the four. */
    private static void tileF32Shared(float[] q, int q0, int headDim, MemorySegment block, long k, long channelBytes, float scale,
            float[] into, int o, int step) {
        long second = (long) LANES * Float.BYTES;
        int q1 = q0 + headDim;
        int q2 = q1 + headDim;
        int q3 = q2 + headDim;
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int d = 0; d < headDim; d++, k += channelBytes) {
            FloatVector lo = FloatVector.fromMemorySegment(FLOATS, block, k, ORDER);
            FloatVector hi = FloatVector.fromMemorySegment(FLOATS, block, k + second, ORDER);
            FloatVector x0 = FloatVector.broadcast(FLOATS, q[q0 + d]);
            FloatVector x1 = FloatVector.broadcast(FLOATS, q[q1 + d]);
            FloatVector x2 = FloatVector.broadcast(FLOATS, q[q2 + d]);
            FloatVector x3 = FloatVector.broadcast(FLOATS, q[q3 + d]);
            a0 = lo.fma(x0, a0);
            b0 = hi.fma(x0, b0);
            a1 = lo.fma(x1, a1);
            b1 = hi.fma(x1, b1);
            a2 = lo.fma(x2, a2);
            b2 = hi.fma(x2, b2);
            a3 = lo.fma(x3, a3);
            b3 = hi.fma(x3, b3);
        }
        a0.mul(scale).intoArray(into, o);
        b0.mul(scale).intoArray(into, o + LANES);
        a1.mul(scale).intoArray(into, o + step);
        b1.mul(scale).intoArray(into, o + step + LANES);
        a2.mul(scale).intoArray(into, o + 2 * step);
        b2.mul(scale).intoArray(into, o + 2 * step + LANES);
        a3.mul(scale).intoArray(into, o + 3 * step);
        b3.mul(scale).intoArray(into, o + 3 * step + LANES);
    }

    /**
     * One query head: its 64 channels of the block's positions, one after the other in memory. Heads that do not
     * share a KV head (multi-head attention, groups not a multiple of four) go one at a time: a tile of four such
     * heads read four streams of keys at once, and from DRAM that measured 1.15x (BF16) to 1.4x (F32) slower than
     * one stream in address order (bench/RESULTS.md, "Non-matmul decode step").
     */
    private static void headF32(float[] q, int q0, int headDim, MemorySegment block, long k, long channelBytes, float scale,
            float[] into, int o) {
        long second = (long) LANES * Float.BYTES;
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector b0 = a0;
        for (int d = 0; d < headDim; d++, k += channelBytes) {
            FloatVector x0 = FloatVector.broadcast(FLOATS, q[q0 + d]);
            a0 = FloatVector.fromMemorySegment(FLOATS, block, k, ORDER).fma(x0, a0);
            b0 = FloatVector.fromMemorySegment(FLOATS, block, k + second, ORDER).fma(x0, b0);
        }
        a0.mul(scale).intoArray(into, o);
        b0.mul(scale).intoArray(into, o + LANES);
    }

    private static void blockScoresBf16(float[] q, int qOffset, int heads, int headDim, int group, float scale,
            MemorySegment block, long keysOffset, int positions, int slot, int slots, float[] scores, int scoreOffset,
            int scoreStride) {
        long channelBytes = (long) positions * Short.BYTES;
        long headBytes = headDim * channelBytes;
        int end = slot + slots;
        float[] spill = null;
        for (int chunk = slot - slot % (2 * LANES); chunk < end; chunk += 2 * LANES) {
            long chunkBytes = keysOffset + (long) chunk * Short.BYTES;
            // Two whole vectors of wanted positions go straight into the scores; a partial pair goes through a spill
            // array (a masked store here made the kernel too large for C2 to inline its vector code).
            boolean whole = chunk >= slot && chunk + 2 * LANES <= end;
            if (!whole && spill == null) {
                spill = new float[4 * 2 * LANES];
            }
            float[] into = whole ? scores : spill;
            int step = whole ? scoreStride : 2 * LANES;
            int h = 0;
            for (; h + 4 <= heads && group % 4 == 0; h += 4) {
                int o = whole ? scoreOffset + h * scoreStride + chunk - slot : 0;
                tileBf16Shared(q, qOffset + h * headDim, headDim, block, chunkBytes + (h / group) * headBytes, channelBytes, scale,
                        into, o, step);
                if (!whole) {
                    unspill(spill, 4, scores, scoreOffset + h * scoreStride, scoreStride, chunk, slot, end);
                }
            }
            for (; h < heads; h++) {
                int o = whole ? scoreOffset + h * scoreStride + chunk - slot : 0;
                headBf16(q, qOffset + h * headDim, headDim, block, chunkBytes + (h / group) * headBytes, channelBytes, scale, into, o);
                if (!whole) {
                    unspill(spill, 1, scores, scoreOffset + h * scoreStride, scoreStride, chunk, slot, end);
                }
            }
        }
    }

    /** Four query heads that read one KV head: each channel's two vectors loaded once for the four. */
    private static void tileBf16Shared(float[] q, int q0, int headDim, MemorySegment block, long k, long channelBytes, float scale,
            float[] into, int o, int step) {
        long second = (long) LANES * Short.BYTES;
        int q1 = q0 + headDim;
        int q2 = q1 + headDim;
        int q3 = q2 + headDim;
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int d = 0; d < headDim; d++, k += channelBytes) {
            FloatVector lo = bf16(block, k);
            FloatVector hi = bf16(block, k + second);
            FloatVector x0 = FloatVector.broadcast(FLOATS, q[q0 + d]);
            FloatVector x1 = FloatVector.broadcast(FLOATS, q[q1 + d]);
            FloatVector x2 = FloatVector.broadcast(FLOATS, q[q2 + d]);
            FloatVector x3 = FloatVector.broadcast(FLOATS, q[q3 + d]);
            a0 = lo.fma(x0, a0);
            b0 = hi.fma(x0, b0);
            a1 = lo.fma(x1, a1);
            b1 = hi.fma(x1, b1);
            a2 = lo.fma(x2, a2);
            b2 = hi.fma(x2, b2);
            a3 = lo.fma(x3, a3);
            b3 = hi.fma(x3, b3);
        }
        a0.mul(scale).intoArray(into, o);
        b0.mul(scale).intoArray(into, o + LANES);
        a1.mul(scale).intoArray(into, o + step);
        b1.mul(scale).intoArray(into, o + step + LANES);
        a2.mul(scale).intoArray(into, o + 2 * step);
        b2.mul(scale).intoArray(into, o + 2 * step + LANES);
        a3.mul(scale).intoArray(into, o + 3 * step);
        b3.mul(scale).intoArray(into, o + 3 * step + LANES);
    }

    /** One query head, as {@link #headF32}. */
    private static void headBf16(float[] q, int q0, int headDim, MemorySegment block, long k, long channelBytes, float scale,
            float[] into, int o) {
        long second = (long) LANES * Short.BYTES;
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector b0 = a0;
        for (int d = 0; d < headDim; d++, k += channelBytes) {
            FloatVector x0 = FloatVector.broadcast(FLOATS, q[q0 + d]);
            a0 = bf16(block, k).fma(x0, a0);
            b0 = bf16(block, k + second).fma(x0, b0);
        }
        a0.mul(scale).intoArray(into, o);
        b0.mul(scale).intoArray(into, o + LANES);
    }

    /** The wanted positions ({@code [slot, end)} of the pair from {@code chunk}) of {@code heads} spilled heads, into the scores. */
    private static void unspill(float[] spill, int heads, float[] scores, int at, int scoreStride, int chunk, int slot, int end) {
        int from = Math.max(slot, chunk);
        int to = Math.min(end, chunk + 2 * LANES);
        for (int h = 0; h < heads; h++) {
            System.arraycopy(spill, h * 2 * LANES + from - chunk, scores, at + h * scoreStride + from - slot, to - from);
        }
    }

    /** {@code v} times {@code scale}, lane {@code j} at {@code at + chunk + j}, only the lanes of positions in {@code [slot, end)}. */
    private static void storeScores(FloatVector v, float scale, float[] scores, int at, int chunk, int slot, int end) {
        if (chunk >= slot && chunk + LANES <= end) {
            v.mul(scale).intoArray(scores, at + chunk);
        } else if (chunk < end && chunk + LANES > slot) {
            v.mul(scale).intoArray(scores, at + chunk, FLOATS.indexInRange(chunk - slot, end - slot));
        }
    }

    /**
     * Blocks whose positions are not a multiple of two vectors (small test blocks; 16 positions on 512-bit
     * vectors): one vector of positions and one head at a time where the block holds whole vectors, the scalar
     * chain otherwise. Same arithmetic per score.
     */
    private static void blockScoresByChunk(boolean bf16, float[] q, int qOffset, int heads, int headDim, int group, float scale,
            MemorySegment block, long keysOffset, int positions, int slot, int slots, float[] scores, int scoreOffset,
            int scoreStride) {
        if (positions % LANES != 0) {
            SegmentScalarKernels.blockScores(bf16, q, qOffset, heads, headDim, group, scale, block, keysOffset, positions, slot,
                    slots, scores, scoreOffset, scoreStride);
            return;
        }
        int elementBytes = bf16 ? Short.BYTES : Float.BYTES;
        long channelBytes = (long) positions * elementBytes;
        int end = slot + slots;
        for (int chunk = slot - slot % LANES; chunk < end; chunk += LANES) {
            for (int h = 0; h < heads; h++) {
                int q0 = qOffset + h * headDim;
                long k = keysOffset + (long) (h / group) * headDim * channelBytes + (long) chunk * elementBytes;
                FloatVector acc = FloatVector.zero(FLOATS);
                for (int d = 0; d < headDim; d++, k += channelBytes) {
                    FloatVector keys = bf16 ? bf16(block, k) : FloatVector.fromMemorySegment(FLOATS, block, k, ORDER);
                    acc = keys.fma(FloatVector.broadcast(FLOATS, q[q0 + d]), acc);
                }
                storeScores(acc, scale, scores, scoreOffset + h * scoreStride - slot, chunk, slot, end);
            }
        }
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
        boolean grouped = group % 4 == 0 && heads % 4 == 0 && headDim % (2 * LANES) == 0;
        if (bf16) {
            if (grouped) {
                groupedValuesBf16(weights, weightOffset, weightStride, heads, headDim, group, block, valueOffset, rowBytes, slots, out,
                        outOffset);
            } else {
                blockValuesBf16(weights, weightOffset, weightStride, heads, headDim, group, block, valueOffset, rowBytes, slots, out,
                        outOffset);
            }
        } else if (grouped) {
            groupedValuesF32(weights, weightOffset, weightStride, heads, headDim, group, block, valueOffset, rowBytes, slots, out,
                    outOffset);
        } else {
            blockValuesF32(weights, weightOffset, weightStride, heads, headDim, group, block, valueOffset, rowBytes, slots, out, outOffset);
        }
    }

    /**
     * Grouped-query values, four query heads of one KV head at a time: each value row's two vectors are loaded
     * (and, for BF16, widened) once for the four heads, whose output chunks stay in registers over the block's
     * positions. Each output element still gets one fused multiply-add per position, in position order: the same
     * bits as the head-by-head kernels.
     */
    private static void groupedValuesF32(float[] weights, int weightOffset, int weightStride, int heads, int headDim, int group,
            MemorySegment block, long valueOffset, long rowBytes, int slots, float[] out, int outOffset) {
        long headBytes = (long) headDim * Float.BYTES;
        for (int h = 0; h < heads; h += 4) {
            valuesTileF32(weights, weightOffset + h * weightStride, weightStride, out, outOffset + h * headDim, headDim, block,
                    valueOffset + (h / group) * headBytes, rowBytes, slots);
        }
    }

    private static void valuesTileF32(float[] weights, int w0, int weightStride, float[] out, int o0, int headDim,
            MemorySegment block, long values, long rowBytes, int slots) {
        long second = (long) LANES * Float.BYTES;
        int w1 = w0 + weightStride;
        int w2 = w1 + weightStride;
        int w3 = w2 + weightStride;
        int o1 = o0 + headDim;
        int o2 = o1 + headDim;
        int o3 = o2 + headDim;
        for (int i = 0; i < headDim; i += 2 * LANES) {
            FloatVector y0 = FloatVector.fromArray(FLOATS, out, o0 + i);
            FloatVector z0 = FloatVector.fromArray(FLOATS, out, o0 + i + LANES);
            FloatVector y1 = FloatVector.fromArray(FLOATS, out, o1 + i);
            FloatVector z1 = FloatVector.fromArray(FLOATS, out, o1 + i + LANES);
            FloatVector y2 = FloatVector.fromArray(FLOATS, out, o2 + i);
            FloatVector z2 = FloatVector.fromArray(FLOATS, out, o2 + i + LANES);
            FloatVector y3 = FloatVector.fromArray(FLOATS, out, o3 + i);
            FloatVector z3 = FloatVector.fromArray(FLOATS, out, o3 + i + LANES);
            long row = values + (long) i * Float.BYTES;
            for (int s = 0; s < slots; s++, row += rowBytes) {
                FloatVector lo = FloatVector.fromMemorySegment(FLOATS, block, row, ORDER);
                FloatVector hi = FloatVector.fromMemorySegment(FLOATS, block, row + second, ORDER);
                FloatVector x0 = FloatVector.broadcast(FLOATS, weights[w0 + s]);
                FloatVector x1 = FloatVector.broadcast(FLOATS, weights[w1 + s]);
                FloatVector x2 = FloatVector.broadcast(FLOATS, weights[w2 + s]);
                FloatVector x3 = FloatVector.broadcast(FLOATS, weights[w3 + s]);
                y0 = lo.fma(x0, y0);
                z0 = hi.fma(x0, z0);
                y1 = lo.fma(x1, y1);
                z1 = hi.fma(x1, z1);
                y2 = lo.fma(x2, y2);
                z2 = hi.fma(x2, z2);
                y3 = lo.fma(x3, y3);
                z3 = hi.fma(x3, z3);
            }
            y0.intoArray(out, o0 + i);
            z0.intoArray(out, o0 + i + LANES);
            y1.intoArray(out, o1 + i);
            z1.intoArray(out, o1 + i + LANES);
            y2.intoArray(out, o2 + i);
            z2.intoArray(out, o2 + i + LANES);
            y3.intoArray(out, o3 + i);
            z3.intoArray(out, o3 + i + LANES);
        }
    }

    /**
     * Grouped-query values, four query heads of one KV head at a time: each value row's two vectors are loaded
     * (and, for BF16, widened) once for the four heads, whose output chunks stay in registers over the block's
     * positions. Each output element still gets one fused multiply-add per position, in position order: the same
     * bits as the head-by-head kernels.
     */
    private static void groupedValuesBf16(float[] weights, int weightOffset, int weightStride, int heads, int headDim, int group,
            MemorySegment block, long valueOffset, long rowBytes, int slots, float[] out, int outOffset) {
        long headBytes = (long) headDim * Short.BYTES;
        for (int h = 0; h < heads; h += 4) {
            valuesTileBf16(weights, weightOffset + h * weightStride, weightStride, out, outOffset + h * headDim, headDim, block,
                    valueOffset + (h / group) * headBytes, rowBytes, slots);
        }
    }

    private static void valuesTileBf16(float[] weights, int w0, int weightStride, float[] out, int o0, int headDim,
            MemorySegment block, long values, long rowBytes, int slots) {
        long second = (long) LANES * Short.BYTES;
        int w1 = w0 + weightStride;
        int w2 = w1 + weightStride;
        int w3 = w2 + weightStride;
        int o1 = o0 + headDim;
        int o2 = o1 + headDim;
        int o3 = o2 + headDim;
        for (int i = 0; i < headDim; i += 2 * LANES) {
            FloatVector y0 = FloatVector.fromArray(FLOATS, out, o0 + i);
            FloatVector z0 = FloatVector.fromArray(FLOATS, out, o0 + i + LANES);
            FloatVector y1 = FloatVector.fromArray(FLOATS, out, o1 + i);
            FloatVector z1 = FloatVector.fromArray(FLOATS, out, o1 + i + LANES);
            FloatVector y2 = FloatVector.fromArray(FLOATS, out, o2 + i);
            FloatVector z2 = FloatVector.fromArray(FLOATS, out, o2 + i + LANES);
            FloatVector y3 = FloatVector.fromArray(FLOATS, out, o3 + i);
            FloatVector z3 = FloatVector.fromArray(FLOATS, out, o3 + i + LANES);
            long row = values + (long) i * Short.BYTES;
            for (int s = 0; s < slots; s++, row += rowBytes) {
                FloatVector lo = bf16(block, row);
                FloatVector hi = bf16(block, row + second);
                FloatVector x0 = FloatVector.broadcast(FLOATS, weights[w0 + s]);
                FloatVector x1 = FloatVector.broadcast(FLOATS, weights[w1 + s]);
                FloatVector x2 = FloatVector.broadcast(FLOATS, weights[w2 + s]);
                FloatVector x3 = FloatVector.broadcast(FLOATS, weights[w3 + s]);
                y0 = lo.fma(x0, y0);
                z0 = hi.fma(x0, z0);
                y1 = lo.fma(x1, y1);
                z1 = hi.fma(x1, z1);
                y2 = lo.fma(x2, y2);
                z2 = hi.fma(x2, z2);
                y3 = lo.fma(x3, y3);
                z3 = hi.fma(x3, z3);
            }
            y0.intoArray(out, o0 + i);
            z0.intoArray(out, o0 + i + LANES);
            y1.intoArray(out, o1 + i);
            z1.intoArray(out, o1 + i + LANES);
            y2.intoArray(out, o2 + i);
            z2.intoArray(out, o2 + i + LANES);
            y3.intoArray(out, o3 + i);
            z3.intoArray(out, o3 + i + LANES);
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
