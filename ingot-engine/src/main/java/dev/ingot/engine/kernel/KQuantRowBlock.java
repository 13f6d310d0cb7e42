package dev.ingot.engine.kernel;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Single-threaded matmul over a contiguous block of rows of a GGML K-quant matrix (Q4_K, Q6_K) against
 * its inputs quantized to Q8_K, for all batch vectors at once; {@link QuantRowBlock}'s typed copies
 * dispatch here with their constant type. Each output has one sequence of operations whichever path
 * computes it, so a row's result is bit-identical alone or in a batch.
 */
final class KQuantRowBlock {

    /** Whether the integer block path runs on 512-bit vectors, see {@link Lanes#WIDE_BLOCKS}. */
    private static final boolean WIDE = Lanes.WIDE_BLOCKS;

    private KQuantRowBlock() {}

    /** Super-blocks per row. */
    private static int superBlocks(int cols) {
        return cols / Q8KActivations.BLOCK;
    }

    /**
     * Rows {@code [from, to)} of a Q4_K matrix ({@link #q6_KRows}: Q6_K); on 512-bit CPUs batches go to
     * {@link KQuantTile} first, whole tiles of inputs, the rest row by row here. Per row
     * and input, super-block by super-block as ggml's {@code vec_dot_q4_K_q8_K} / {@code vec_dot_q6_K_q8_K}:
     * the unsigned quantized weights times the input quants, summed exactly per 16- or 32-weight sub-block
     * ({@link KQuantLanes#pairSums}), times the sub-block's integer scale, summed in 8 int lanes over the
     * super-block; then {@code acc = fma(lanes, d * dx, acc)}. The sub-block offsets (Q4_K's
     * {@code dmin * min}, Q6_K's {@code -32}) times the activations' sub-block sums are integers too, one per
     * super-block, gathered in a scalar {@code offset += (dOffset * dx) * sum} and subtracted at the end.
     * Every tile path repeats this sequence, so a row's result is the same alone or in a batch. One entry
     * point per type, each reached only from its type's {@link QuantRowBlock} copy, so that (as when this
     * code sat in the typed copies) no compiled method holds both types' rows and their inlining budget.
     */
    static void q4_KRows(MemorySegment data, int rows, int cols, Q8KActivations q8k, float[] out, int batch, int from, int to) {
        short[] xq = q8k.quants();
        float[] xd = q8k.scales();
        long rowBytes = (long) superBlocks(cols) * KQuantLanes.Q4_K_BYTES;
        if (WIDE) {
            int tiled = tiledInputs(batch);
            if (tiled > 0) {
                KQuantTile.q4_KRows(data, rows, cols, rowBytes, q8k, out, tiled, from, to);
            }
            for (int r = from; r < to && tiled < batch; r++) {
                for (int b = tiled; b < batch; b++) {
                    q4_KWideRow1(data, r * rowBytes, cols, rows, xq, xd, q8k.minSums(), out, r, b);
                }
            }
            return;
        }
        int[] xs = q8k.sums();
        int[] scales = new int[8];
        for (int r = from; r < to; r++) {
            long w = r * rowBytes;
            int b = 0;
            for (; b + 2 <= batch; b += 2) {
                q4_KRow2(data, w, cols, rows, xq, xd, xs, out, r, b, scales);
            }
            for (; b < batch; b++) {
                q4_KRow1(data, w, cols, rows, xq, xd, xs, out, r, b, scales);
            }
        }
    }

    /** {@link #q4_KRows} for Q6_K; the batch-1 rows take the inputs two at a time ({@link #q6_KWideRow2}, {@link #q6_KRow2}). */
    static void q6_KRows(MemorySegment data, int rows, int cols, Q8KActivations q8k, float[] out, int batch, int from, int to) {
        short[] xq = q8k.quants();
        float[] xd = q8k.scales();
        int[] xs = q8k.sums();
        long rowBytes = (long) superBlocks(cols) * KQuantLanes.Q6_K_BYTES;
        if (WIDE) {
            int tiled = batch >= KQuantTile.Q6_K_MIN_BATCH ? tiledInputs(batch) : 0;
            if (tiled > 0) {
                KQuantTile.q6_KRows(data, rows, cols, rowBytes, q8k, out, tiled, from, to);
            }
            for (int r = from; r < to && tiled < batch; r++) {
                long w = r * rowBytes;
                int b = tiled;
                for (; b + 2 <= batch; b += 2) {
                    q6_KWideRow2(data, w, cols, rows, xq, xd, xs, out, r, b);
                }
                for (; b < batch; b++) {
                    q6_KWideRow1(data, w, cols, rows, xq, xd, xs, out, r, b);
                }
            }
            return;
        }
        for (int r = from; r < to; r++) {
            long w = r * rowBytes;
            int b = 0;
            for (; b + 2 <= batch; b += 2) {
                q6_KRow2(data, w, cols, rows, xq, xd, xs, out, r, b);
            }
            for (; b < batch; b++) {
                q6_KRow1(data, w, cols, rows, xq, xd, xs, out, r, b);
            }
        }
    }

    /** Inputs {@code [0, n)} go through {@link KQuantTile}'s four-input tiles, the rest through the batch-1 rows. */
    private static int tiledInputs(int batch) {
        return KQuantTile.ENABLED && batch >= KQuantTile.INPUTS ? batch - batch % KQuantTile.INPUTS : 0;
    }

    /** Sub-block {@code j}'s products: {@code lo} times inputs {@code xc..xc+15}, {@code hi} times the next 16, added as shorts (exact). */
    private static ShortVector products(ShortVector lo, ShortVector hi, short[] xq, int xc) {
        return lo.mul(ShortVector.fromArray(Lanes.SHORTS_256, xq, xc)).add(hi.mul(ShortVector.fromArray(Lanes.SHORTS_256, xq, xc + 16)));
    }

    /**
     * Q4_K: the block's eight scales into {@code scales[0..7]} and the sum of its mins times the input's
     * 32-weight sums (the offset, an integer) returned.
     */
    private static int q4_KScales(MemorySegment data, long start, int[] xs, int sb, int[] scales) {
        int a = KQuantLanes.q4_KScaleWord(data, start, 0);
        int b = KQuantLanes.q4_KScaleWord(data, start, 1);
        int c = KQuantLanes.q4_KScaleWord(data, start, 2);
        int mins = 0;
        for (int j = 0; j < 8; j++) {
            scales[j] = KQuantLanes.q4_KScaleOrMin(a, b, c, j, false);
            mins += KQuantLanes.q4_KScaleOrMin(a, b, c, j, true) * (xs[sb + 2 * j] + xs[sb + 2 * j + 1]);
        }
        return mins;
    }

    /** The mins' sum as {@link #q4_KScales} gives it, for a second input whose scales are already unpacked. */
    private static int q4_KMins(MemorySegment data, long start, int[] xs, int sb) {
        int a = KQuantLanes.q4_KScaleWord(data, start, 0);
        int b = KQuantLanes.q4_KScaleWord(data, start, 1);
        int c = KQuantLanes.q4_KScaleWord(data, start, 2);
        int mins = 0;
        for (int j = 0; j < 8; j++) {
            mins += KQuantLanes.q4_KScaleOrMin(a, b, c, j, true) * (xs[sb + 2 * j] + xs[sb + 2 * j + 1]);
        }
        return mins;
    }

    private static void q4_KRow1(MemorySegment data, long w, int cols, int rows, short[] xq, float[] xd, int[] xs, float[] out,
            int r, int b, int[] scales) {
        int blocks = superBlocks(cols);
        FloatVector acc = FloatVector.zero(Lanes.FLOATS);
        float offset = 0f;
        for (int blk = 0; blk < blocks; blk++) {
            long start = w + (long) blk * KQuantLanes.Q4_K_BYTES;
            int xb = b * cols + blk * Q8KActivations.BLOCK;
            int mins = q4_KScales(data, start, xs, (b * blocks + blk) * 16, scales);
            IntVector sums = IntVector.zero(Lanes.INTS);
            for (int g = 0; g < 4; g++) {
                ShortVector first = KQuantLanes.widen(data, start + 16 + 32L * g);
                ShortVector second = KQuantLanes.widen(data, start + 32 + 32L * g);
                int xc = xb + 64 * g;
                ShortVector low = products(KQuantLanes.lowNibbles(first), KQuantLanes.lowNibbles(second), xq, xc);
                ShortVector high = products(KQuantLanes.highNibbles(first), KQuantLanes.highNibbles(second), xq, xc + 32);
                sums = sums.add(KQuantLanes.pairSums(low).mul(scales[2 * g])).add(KQuantLanes.pairSums(high).mul(scales[2 * g + 1]));
            }
            float dx = xd[b * blocks + blk];
            acc = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Lanes.FLOATS, KQuantLanes.half(data, start) * dx), acc);
            offset += KQuantLanes.half(data, start + 2) * dx * mins;
        }
        out[b * rows + r] = Lanes.sumLanes(acc) - offset;
    }

    /** {@link #q4_KRow1} for inputs {@code b} and {@code b + 1}, each weight block decoded once for both; per output the same sequence. */
    private static void q4_KRow2(MemorySegment data, long w, int cols, int rows, short[] xq, float[] xd, int[] xs, float[] out,
            int r, int b, int[] scales) {
        int blocks = superBlocks(cols);
        FloatVector acc0 = FloatVector.zero(Lanes.FLOATS);
        FloatVector acc1 = acc0;
        float offset0 = 0f;
        float offset1 = 0f;
        for (int blk = 0; blk < blocks; blk++) {
            long start = w + (long) blk * KQuantLanes.Q4_K_BYTES;
            int xb0 = b * cols + blk * Q8KActivations.BLOCK;
            int xb1 = xb0 + cols;
            int sb0 = (b * blocks + blk) * 16;
            int mins0 = q4_KScales(data, start, xs, sb0, scales);
            int mins1 = q4_KMins(data, start, xs, sb0 + blocks * 16);
            IntVector sums0 = IntVector.zero(Lanes.INTS);
            IntVector sums1 = sums0;
            for (int g = 0; g < 4; g++) {
                ShortVector first = KQuantLanes.widen(data, start + 16 + 32L * g);
                ShortVector second = KQuantLanes.widen(data, start + 32 + 32L * g);
                ShortVector lowFirst = KQuantLanes.lowNibbles(first);
                ShortVector lowSecond = KQuantLanes.lowNibbles(second);
                ShortVector highFirst = KQuantLanes.highNibbles(first);
                ShortVector highSecond = KQuantLanes.highNibbles(second);
                int scaleLow = scales[2 * g];
                int scaleHigh = scales[2 * g + 1];
                sums0 = sums0.add(KQuantLanes.pairSums(products(lowFirst, lowSecond, xq, xb0 + 64 * g)).mul(scaleLow))
                        .add(KQuantLanes.pairSums(products(highFirst, highSecond, xq, xb0 + 64 * g + 32)).mul(scaleHigh));
                sums1 = sums1.add(KQuantLanes.pairSums(products(lowFirst, lowSecond, xq, xb1 + 64 * g)).mul(scaleLow))
                        .add(KQuantLanes.pairSums(products(highFirst, highSecond, xq, xb1 + 64 * g + 32)).mul(scaleHigh));
            }
            float d = KQuantLanes.half(data, start);
            float dmin = KQuantLanes.half(data, start + 2);
            float dx0 = xd[b * blocks + blk];
            float dx1 = xd[(b + 1) * blocks + blk];
            acc0 = ((FloatVector) sums0.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Lanes.FLOATS, d * dx0), acc0);
            acc1 = ((FloatVector) sums1.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Lanes.FLOATS, d * dx1), acc1);
            offset0 += dmin * dx0 * mins0;
            offset1 += dmin * dx1 * mins1;
        }
        out[b * rows + r] = Lanes.sumLanes(acc0) - offset0;
        out[(b + 1) * rows + r] = Lanes.sumLanes(acc1) - offset1;
    }

    /**
     * Q6_K: per 128-weight half, the {@code ql} bytes {@code l} and {@code 32 + l} and the {@code qh} byte
     * {@code l} (16 lanes at a time) hold four 16-weight sub-blocks; each one's values times the inputs is
     * one short vector of exact products.
     */
    private static void q6_KRow1(MemorySegment data, long w, int cols, int rows, short[] xq, float[] xd, int[] xs, float[] out,
            int r, int b) {
        int blocks = superBlocks(cols);
        FloatVector acc = FloatVector.zero(Lanes.FLOATS);
        float offset = 0f;
        for (int blk = 0; blk < blocks; blk++) {
            long start = w + (long) blk * KQuantLanes.Q6_K_BYTES;
            int xb = b * cols + blk * Q8KActivations.BLOCK;
            int sb = (b * blocks + blk) * 16;
            IntVector sums = IntVector.zero(Lanes.INTS);
            int offsets = 0;
            long scalesLow = KQuantLanes.q6_KScaleWord(data, start, 0);
            long scalesHigh = KQuantLanes.q6_KScaleWord(data, start, 1);
            for (int part = 0; part < 4; part++) {
                int h = part >>> 1;
                int l = (part & 1) * 16;
                ShortVector ql0 = KQuantLanes.widen(data, start + 64L * h + l);
                ShortVector ql1 = KQuantLanes.widen(data, start + 64L * h + 32 + l);
                ShortVector qh = KQuantLanes.widen(data, start + 128 + 32L * h + l);
                for (int j = 0; j < 4; j++) {
                    int sub = 8 * h + 2 * j + (l >>> 4);
                    int scale = KQuantLanes.q6_KScale(scalesLow, scalesHigh, sub);
                    ShortVector q = KQuantLanes.q6_KValues((j & 1) == 0 ? ql0 : ql1, qh, j);
                    ShortVector p = q.mul(ShortVector.fromArray(Lanes.SHORTS_256, xq, xb + 16 * sub));
                    sums = sums.add(KQuantLanes.pairSums(p).mul(scale));
                    offsets += scale * xs[sb + sub];
                }
            }
            float dx = xd[b * blocks + blk] * KQuantLanes.half(data, start + 208);
            acc = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Lanes.FLOATS, dx), acc);
            offset += dx * (32 * offsets);
        }
        out[b * rows + r] = Lanes.sumLanes(acc) - offset;
    }

    /** {@link #q6_KRow1} for inputs {@code b} and {@code b + 1}, each weight sub-block decoded once for both; per output the same sequence. */
    private static void q6_KRow2(MemorySegment data, long w, int cols, int rows, short[] xq, float[] xd, int[] xs, float[] out,
            int r, int b) {
        int blocks = superBlocks(cols);
        FloatVector acc0 = FloatVector.zero(Lanes.FLOATS);
        FloatVector acc1 = acc0;
        float offset0 = 0f;
        float offset1 = 0f;
        for (int blk = 0; blk < blocks; blk++) {
            long start = w + (long) blk * KQuantLanes.Q6_K_BYTES;
            int xb0 = b * cols + blk * Q8KActivations.BLOCK;
            int xb1 = xb0 + cols;
            int sb0 = (b * blocks + blk) * 16;
            int sb1 = sb0 + blocks * 16;
            IntVector sums0 = IntVector.zero(Lanes.INTS);
            IntVector sums1 = sums0;
            int offsets0 = 0;
            int offsets1 = 0;
            long scalesLow = KQuantLanes.q6_KScaleWord(data, start, 0);
            long scalesHigh = KQuantLanes.q6_KScaleWord(data, start, 1);
            for (int part = 0; part < 4; part++) {
                int h = part >>> 1;
                int l = (part & 1) * 16;
                ShortVector ql0 = KQuantLanes.widen(data, start + 64L * h + l);
                ShortVector ql1 = KQuantLanes.widen(data, start + 64L * h + 32 + l);
                ShortVector qh = KQuantLanes.widen(data, start + 128 + 32L * h + l);
                for (int j = 0; j < 4; j++) {
                    int sub = 8 * h + 2 * j + (l >>> 4);
                    int scale = KQuantLanes.q6_KScale(scalesLow, scalesHigh, sub);
                    ShortVector q = KQuantLanes.q6_KValues((j & 1) == 0 ? ql0 : ql1, qh, j);
                    sums0 = sums0.add(KQuantLanes.pairSums(q.mul(ShortVector.fromArray(Lanes.SHORTS_256, xq, xb0 + 16 * sub))).mul(scale));
                    sums1 = sums1.add(KQuantLanes.pairSums(q.mul(ShortVector.fromArray(Lanes.SHORTS_256, xq, xb1 + 16 * sub))).mul(scale));
                    offsets0 += scale * xs[sb0 + sub];
                    offsets1 += scale * xs[sb1 + sub];
                }
            }
            float d = KQuantLanes.half(data, start + 208);
            float dx0 = xd[b * blocks + blk] * d;
            float dx1 = xd[(b + 1) * blocks + blk] * d;
            acc0 = ((FloatVector) sums0.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Lanes.FLOATS, dx0), acc0);
            acc1 = ((FloatVector) sums1.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Lanes.FLOATS, dx1), acc1);
            offset0 += dx0 * (32 * offsets0);
            offset1 += dx1 * (32 * offsets1);
        }
        out[b * rows + r] = Lanes.sumLanes(acc0) - offset0;
        out[(b + 1) * rows + r] = Lanes.sumLanes(acc1) - offset1;
    }

    // ---- the same with 512-bit vectors ({@link Lanes#WIDE_BLOCKS}): 32 weights per vector ----

    /** Q6_K's sub-block pairs as lane indices: lanes 0..7 read scale {@code 2i}, lanes 8..15 scale {@code 2i + 1} (plus {@code 2i}). */
    private static final IntVector SUB_BLOCK_PAIR = IntVector.zero(Lanes.INTS_512).addIndex(1).lanewise(VectorOperators.LSHR, 3);

    /*
     * The 512-bit rows: 32 weights (one Q4_K sub-block, two Q6_K sub-blocks) per
     * multiply, their pair sums in 16 int lanes, the sub-block scale applied once per pair-sum vector,
     * the super-block's integer sum converted and scaled once ({@code acc = fma(lanes, d * dx, acc)}) and
     * the lanes summed once per row. Q6_K takes the inputs two at a time ({@link #q6_KWideRow2}, each block
     * decoded once for both) and then one at a time, each output with the same sequence; Q4_K takes them one
     * at a time: its two-input tile (four accumulators, two picked scale vectors) measured at less than half
     * the one-input row's weights per second (KQuantRowProbe, batch 8), as if C2 spilled or boxed its vectors.
     */

    /** Lane {@code k} of {@code v} in every lane (with {@code k} a constant of the unrolled loop, one permute). */
    private static IntVector pick(IntVector v, int k) {
        return IntVector.broadcast(Lanes.INTS_512, k).selectFrom(v);
    }

    private static ShortVector wideInputs(short[] xq, int at) {
        return ShortVector.fromArray(Lanes.SHORTS_512, xq, at);
    }

    /**
     * Q4_K, 32 nibble bytes per vector: their low nibbles are sub-block {@code 2g}, their high nibbles
     * sub-block {@code 2g + 1}; each times its 32 inputs, pair-summed, times its six-bit scale. Scales and
     * mins are unpacked in one vector ({@link KQuantLanes#q4_KScalesAndMins}); the mins times the inputs'
     * 32-weight sums ({@code xm}, {@link Q8KActivations#minSums}) are a second integer vector, scaled by
     * {@code dmin * dx} into a second accumulator, so nothing per super-block is scalar but the two scales.
     */
    private static void q4_KWideRow1(MemorySegment data, long w, int cols, int rows, short[] xq, float[] xd, int[] xm, float[] out,
            int r, int b) {
        int blocks = superBlocks(cols);
        FloatVector acc = FloatVector.zero(Lanes.FLOATS_512);
        FloatVector minAcc = acc;
        for (int blk = 0; blk < blocks; blk++) {
            long start = w + (long) blk * KQuantLanes.Q4_K_BYTES;
            int xb = b * cols + blk * Q8KActivations.BLOCK;
            IntVector scalesAndMins = KQuantLanes.q4_KScalesAndMins(data, start);
            IntVector sums = IntVector.zero(Lanes.INTS_512);
            for (int g = 0; g < 4; g++) {
                ShortVector nibbles = KQuantLanes.widen32(data, start + 16 + 32L * g);
                int xc = xb + 64 * g;
                ShortVector low = KQuantLanes.lowNibbles(nibbles).mul(wideInputs(xq, xc));
                ShortVector high = KQuantLanes.highNibbles(nibbles).mul(wideInputs(xq, xc + 32));
                sums = sums.add(KQuantLanes.pairSums(low).mul(pick(scalesAndMins, 2 * g)))
                        .add(KQuantLanes.pairSums(high).mul(pick(scalesAndMins, 2 * g + 1)));
            }
            IntVector mins = scalesAndMins.mul(IntVector.fromArray(Lanes.INTS_512, xm, (b * blocks + blk) * 16));
            float dx = xd[b * blocks + blk];
            acc = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Lanes.FLOATS_512, KQuantLanes.half(data, start) * dx), acc);
            minAcc = ((FloatVector) mins.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Lanes.FLOATS_512, KQuantLanes.half(data, start + 2) * dx), minAcc);
        }
        out[b * rows + r] = Lanes.sumWideLanes(acc) - Lanes.sumWideLanes(minAcc);
    }

    /**
     * Q6_K, per 128-weight half the {@code ql} bytes 0..31 and 32..63 and the {@code qh} bytes 0..31 as
     * three 32-short vectors; group {@code j} (0..3) of the half is 32 six-bit values, sub-blocks
     * {@code 8h + 2j} (pair-sum lanes 0..7) and {@code 8h + 2j + 1} (lanes 8..15), so its pair sums take
     * the two scales as one vector picked from the 16 ({@link #SUB_BLOCK_PAIR}). The {@code -32} offset is
     * an integer too: the super-block's sum starts at {@code -32 * scale * sum} per sub-block lane, so
     * there is one conversion and one scaling per super-block and no scalar side sum.
     */
    private static void q6_KWideRow1(MemorySegment data, long w, int cols, int rows, short[] xq, float[] xd, int[] xs, float[] out,
            int r, int b) {
        int blocks = superBlocks(cols);
        FloatVector acc = FloatVector.zero(Lanes.FLOATS_512);
        for (int blk = 0; blk < blocks; blk++) {
            long start = w + (long) blk * KQuantLanes.Q6_K_BYTES;
            int xb = b * cols + blk * Q8KActivations.BLOCK;
            IntVector scales = KQuantLanes.q6_KScales(data, start);
            IntVector sums = scales.mul(IntVector.fromArray(Lanes.INTS_512, xs, (b * blocks + blk) * 16)).lanewise(VectorOperators.LSHL, 5).neg();
            for (int h = 0; h < 2; h++) {
                ShortVector ql0 = KQuantLanes.widen32(data, start + 64L * h);
                ShortVector ql1 = KQuantLanes.widen32(data, start + 64L * h + 32);
                ShortVector qh = KQuantLanes.widen32(data, start + 128 + 32L * h);
                for (int j = 0; j < 4; j++) {
                    ShortVector q = KQuantLanes.q6_KValues((j & 1) == 0 ? ql0 : ql1, qh, j);
                    IntVector pairScales = SUB_BLOCK_PAIR.add(8 * h + 2 * j).selectFrom(scales);
                    sums = sums.add(KQuantLanes.pairSums(q.mul(wideInputs(xq, xb + 128 * h + 32 * j))).mul(pairScales));
                }
            }
            float dx = xd[b * blocks + blk] * KQuantLanes.half(data, start + 208);
            acc = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Lanes.FLOATS_512, dx), acc);
        }
        out[b * rows + r] = Lanes.sumWideLanes(acc);
    }

    /** {@link #q6_KWideRow1} for inputs {@code b} and {@code b + 1}, each group of values decoded once for both; per output the same sequence. */
    private static void q6_KWideRow2(MemorySegment data, long w, int cols, int rows, short[] xq, float[] xd, int[] xs, float[] out,
            int r, int b) {
        int blocks = superBlocks(cols);
        FloatVector acc0 = FloatVector.zero(Lanes.FLOATS_512);
        FloatVector acc1 = acc0;
        for (int blk = 0; blk < blocks; blk++) {
            long start = w + (long) blk * KQuantLanes.Q6_K_BYTES;
            int xb0 = b * cols + blk * Q8KActivations.BLOCK;
            int xb1 = xb0 + cols;
            int sb0 = (b * blocks + blk) * 16;
            IntVector scales = KQuantLanes.q6_KScales(data, start);
            IntVector sums0 = scales.mul(IntVector.fromArray(Lanes.INTS_512, xs, sb0)).lanewise(VectorOperators.LSHL, 5).neg();
            IntVector sums1 = scales.mul(IntVector.fromArray(Lanes.INTS_512, xs, sb0 + blocks * 16)).lanewise(VectorOperators.LSHL, 5).neg();
            for (int h = 0; h < 2; h++) {
                ShortVector ql0 = KQuantLanes.widen32(data, start + 64L * h);
                ShortVector ql1 = KQuantLanes.widen32(data, start + 64L * h + 32);
                ShortVector qh = KQuantLanes.widen32(data, start + 128 + 32L * h);
                for (int j = 0; j < 4; j++) {
                    ShortVector q = KQuantLanes.q6_KValues((j & 1) == 0 ? ql0 : ql1, qh, j);
                    IntVector pairScales = SUB_BLOCK_PAIR.add(8 * h + 2 * j).selectFrom(scales);
                    int xc = 128 * h + 32 * j;
                    sums0 = sums0.add(KQuantLanes.pairSums(q.mul(wideInputs(xq, xb0 + xc))).mul(pairScales));
                    sums1 = sums1.add(KQuantLanes.pairSums(q.mul(wideInputs(xq, xb1 + xc))).mul(pairScales));
                }
            }
            float d = KQuantLanes.half(data, start + 208);
            acc0 = ((FloatVector) sums0.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Lanes.FLOATS_512, xd[b * blocks + blk] * d), acc0);
            acc1 = ((FloatVector) sums1.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(Lanes.FLOATS_512, xd[(b + 1) * blocks + blk] * d), acc1);
        }
        out[b * rows + r] = Lanes.sumWideLanes(acc0);
        out[(b + 1) * rows + r] = Lanes.sumWideLanes(acc1);
    }
}
