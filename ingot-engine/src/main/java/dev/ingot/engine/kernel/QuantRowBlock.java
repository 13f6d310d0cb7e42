package dev.ingot.engine.kernel;

import static dev.ingot.engine.kernel.Lanes.LANES;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

/**
 * Single-threaded matmul over a contiguous block of rows of one GGML block-quantized weight type (Q8_0,
 * Q4_0, Q4_K, Q6_K), for all batch vectors at once. Like {@link TypedRowBlock} for the float types, never
 * used as written: {@link RowBlockMatmul} loads one hidden copy per type with the type as class data, so
 * {@link #DTYPE} is a constant in each copy and C2 compiles only that type's decoding.
 *
 * <p>GGML blocks (Q8_0, Q4_0) go block by block ({@link #intBlockRows}): with 8 float lanes ({@link Lanes#INT_BLOCKS};
 * on AVX-512 the integer loops then use 512-bit vectors, {@link Lanes#WIDE_BLOCKS}), as ggml's {@code vec_dot}
 * does, the inputs are quantized per block to Q8_0 and each block's product is an exact integer sum scaled
 * by both block scales; otherwise (other vector widths, or
 * {@code -Dingot.quant.floatDot=true}) the weights are decoded to floats block by block and the scale
 * applied once per block ({@link #blockRow1}). K-quants go super-block by super-block against Q8_K inputs
 * ({@link KQuantRowBlock}). Either way each output has one sequence of operations whichever tile computes
 * it, so a row's result is bit-identical alone or in a batch.
 */
final class QuantRowBlock {

    static final DType DTYPE = weightType();

    private static final int BATCH_TILE = 4;

    private static final int BLOCK_BYTES = DTYPE == DType.Q8_0 ? Lanes.Q8_0_BYTES : Lanes.Q4_0_BYTES;
    /** Whether the integer block path runs on 512-bit vectors, see {@link Lanes#WIDE_BLOCKS}. */
    private static final boolean WIDE = Lanes.WIDE_BLOCKS;
    /** Vector chunks per 32-element block. */
    private static final int CHUNKS = Lanes.QBLOCK / LANES;

    private QuantRowBlock() {}

    private static DType weightType() {
        try {
            return MethodHandles.classData(MethodHandles.lookup(), "_", DType.class);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("QuantRowBlock is only used through RowBlockMatmul's typed copies", e);
        }
    }

    /**
     * Rows {@code [from, to)} of a {@code [rows, cols]} matrix of {@link #DTYPE}, all {@code batch} inputs;
     * {@code q8} / {@code q8k} are the inputs quantized to Q8_0 / Q8_K when the type is computed against
     * them ({@link RowBlockMatmul#activationsFor}), else null.
     */
    static void rows(MemorySegment data, int rows, int cols, float[] x, Q8Activations q8, Q8KActivations q8k, float[] out,
            int batch, int from, int to) {
        if (DTYPE == DType.Q4_K) {
            KQuantRowBlock.q4_KRows(data, rows, cols, q8k, out, batch, from, to);
        } else if (DTYPE == DType.Q6_K) {
            KQuantRowBlock.q6_KRows(data, rows, cols, q8k, out, batch, from, to);
        } else {
            blockRows(data, rows, cols, x, q8, out, batch, from, to);
        }
    }

    // ---- GGML blocks ----

    /**
     * Rows {@code [from, to)} of a Q8_0/Q4_0 matrix (its columns are whole 32-element blocks), one row at
     * a time, each against the inputs four at a time and then one at a time.
     */
    private static void blockRows(MemorySegment data, int rows, int cols, float[] x, Q8Activations q8, float[] out,
            int batch, int from, int to) {
        int blocks = cols / Lanes.QBLOCK;
        long rowBytes = (long) blocks * BLOCK_BYTES;
        if (q8 != null) {
            intBlockRows(data, rows, cols, blocks, rowBytes, q8.quants(), q8.floats(), q8.scales(), out, batch, from, to);
            return;
        }
        for (int r = from; r < to; r++) {
            long w = r * rowBytes;
            int b = 0;
            for (; b + BATCH_TILE <= batch; b += BATCH_TILE) {
                blockRow4(data, w, blocks, cols, rows, x, out, r, b);
            }
            for (; b < batch; b++) {
                blockRow1(data, w, blocks, cols, rows, x, out, r, b);
            }
        }
    }

    /** Chunk {@code k} of the block at byte {@code start}: its quantized values as floats, unscaled. */
    private static FloatVector quants(MemorySegment data, long start, int k) {
        return DTYPE == DType.Q8_0 ? Lanes.q8_0Quants(data, start, k) : Lanes.q4_0Quants(data, start, k);
    }

    /**
     * One row against one input, block by block as ggml's dot products go: within a block the unscaled
     * quantized values times the inputs, {@code s = q0*x0}, then {@code s = fma(qk, xk, s)} chunk by chunk;
     * then {@code acc = fma(s, scale, acc)}, the block's F16 scale decoded once. The only dependency
     * carried from block to block is that one FMA, so blocks overlap in the pipeline (decoding each
     * chunk and multiplying it by the scale into one running accumulator made every chunk wait for the
     * previous FMA: 4 cycles per 8 weights). Every tile path computes each output with exactly this
     * sequence, so a row's result is the same alone or in a batch.
     */
    private static void blockRow1(MemorySegment data, long w, int blocks, int cols, int rows, float[] x, float[] out, int r, int b) {
        int x0 = b * cols;
        FloatVector acc = FloatVector.zero(Lanes.FLOATS);
        for (int blk = 0; blk < blocks; blk++) {
            long start = w + (long) blk * BLOCK_BYTES;
            int xc = x0 + blk * Lanes.QBLOCK;
            FloatVector s = quants(data, start, 0).mul(FloatVector.fromArray(Lanes.FLOATS, x, xc));
            for (int k = 1; k < CHUNKS; k++) {
                s = quants(data, start, k).fma(FloatVector.fromArray(Lanes.FLOATS, x, xc + k * LANES), s);
            }
            acc = s.fma(FloatVector.broadcast(Lanes.FLOATS, Lanes.blockScale(data, start)), acc);
        }
        out[b * rows + r] = Lanes.sumLanes(acc);
    }

    /** One row against four inputs: each chunk is decoded once for the four; per output exactly {@link #blockRow1}'s sequence. */
    private static void blockRow4(MemorySegment data, long w, int blocks, int cols, int rows, float[] x, float[] out, int r, int b) {
        int x0 = b * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a0 = FloatVector.zero(Lanes.FLOATS);
        FloatVector a1 = a0, a2 = a0, a3 = a0;
        for (int blk = 0; blk < blocks; blk++) {
            long start = w + (long) blk * BLOCK_BYTES;
            int xc = blk * Lanes.QBLOCK;
            FloatVector q = quants(data, start, 0);
            FloatVector s0 = q.mul(FloatVector.fromArray(Lanes.FLOATS, x, x0 + xc));
            FloatVector s1 = q.mul(FloatVector.fromArray(Lanes.FLOATS, x, x1 + xc));
            FloatVector s2 = q.mul(FloatVector.fromArray(Lanes.FLOATS, x, x2 + xc));
            FloatVector s3 = q.mul(FloatVector.fromArray(Lanes.FLOATS, x, x3 + xc));
            for (int k = 1; k < CHUNKS; k++) {
                q = quants(data, start, k);
                int c = xc + k * LANES;
                s0 = q.fma(FloatVector.fromArray(Lanes.FLOATS, x, x0 + c), s0);
                s1 = q.fma(FloatVector.fromArray(Lanes.FLOATS, x, x1 + c), s1);
                s2 = q.fma(FloatVector.fromArray(Lanes.FLOATS, x, x2 + c), s2);
                s3 = q.fma(FloatVector.fromArray(Lanes.FLOATS, x, x3 + c), s3);
            }
            FloatVector scale = FloatVector.broadcast(Lanes.FLOATS, Lanes.blockScale(data, start));
            a0 = s0.fma(scale, a0);
            a1 = s1.fma(scale, a1);
            a2 = s2.fma(scale, a2);
            a3 = s3.fma(scale, a3);
        }
        out[b * rows + r] = Lanes.sumLanes(a0);
        out[(b + 1) * rows + r] = Lanes.sumLanes(a1);
        out[(b + 2) * rows + r] = Lanes.sumLanes(a2);
        out[(b + 3) * rows + r] = Lanes.sumLanes(a3);
    }

    // ---- GGML blocks against activations quantized to Q8_0: integer products, as ggml's vec_dot ----

    /**
     * The integer path (256-bit vectors): the inputs come quantized per 32-element block to Q8_0
     * ({@link Q8Activations}, once per call), then each weight block and input block multiply as
     * integers and the block's sum is scaled by the product of both scales, the way ggml's
     * {@code vec_dot_q8_0_q8_0} / {@code vec_dot_q4_0_q8_0} compute on x86.
     *
     * <p>With at least {@link #BATCH_TILE} inputs, rows go two at a time: both rows are decoded once into
     * a float scratch ({@link #decodeRow}: the unscaled values, exact), the block scale products
     * {@code dw * dx} computed once per input tile ({@link #tileScales}), and the inputs swept in tiles of
     * two rows by four inputs ({@link #rows2batch4}). Decoding inside the tile, once per four inputs,
     * cost more than the multiply-adds; from the scratch the tile is plain float loads and FMAs. The
     * inputs past the last full tile go through {@link #intRow1}, which gives the same bits.
     */
    private static void intBlockRows(MemorySegment data, int rows, int cols, int blocks, long rowBytes, short[] xq, float[] xf,
            float[] xd, float[] out, int batch, int from, int to) {
        if (batch < BATCH_TILE) {
            for (int r = from; r < to; r++) {
                for (int b = 0; b < batch; b++) {
                    intRow1(data, r * rowBytes, blocks, cols, rows, xq, xd, out, r, b);
                }
            }
            return;
        }
        float[] rowQuants = new float[2 * cols];
        float[] rowScales = new float[2 * blocks];
        float[] scaleProducts = new float[2 * BATCH_TILE * blocks];
        float[] parked = new float[2 * BATCH_TILE * 16];
        for (int r = from; r < to; r += 2) {
            // An odd last row is paired with itself: computed twice, stored twice, the same bits.
            int r1 = Math.min(r + 1, to - 1);
            decodeRow(data, r * rowBytes, blocks, rowQuants, 0, rowScales, 0);
            decodeRow(data, r1 * rowBytes, blocks, rowQuants, cols, rowScales, blocks);
            int b = 0;
            for (; b + BATCH_TILE <= batch; b += BATCH_TILE) {
                tileScales(rowScales, xd, blocks, b, scaleProducts);
                rows2batch4(rowQuants, scaleProducts, xf, cols, blocks, rows, out, r, r1, b, parked);
            }
            for (; b < batch; b++) {
                intRow1(data, r * rowBytes, blocks, cols, rows, xq, xd, out, r, b);
                intRow1(data, r1 * rowBytes, blocks, cols, rows, xq, xd, out, r1, b);
            }
        }
    }

    /** The row at byte {@code w}: its values unscaled into {@code quants[at..]} (element order), its block scales into {@code scales[scaleAt..]}. */
    private static void decodeRow(MemorySegment data, long w, int blocks, float[] quants, int at, float[] scales, int scaleAt) {
        for (int blk = 0; blk < blocks; blk++) {
            long start = w + (long) blk * BLOCK_BYTES;
            int c = at + blk * Lanes.QBLOCK;
            for (int k = 0; k < CHUNKS; k++) {
                quants(data, start, k).intoArray(quants, c + k * LANES);
            }
            scales[scaleAt + blk] = Lanes.blockScale(data, start);
        }
    }

    /**
     * {@code products[(i * BATCH_TILE + j) * blocks + blk] = dw * dx}: the scale of row {@code i}'s block
     * times the scale of input {@code b + j}'s block, the product {@link #intRow1} multiplies its block sum by.
     */
    private static void tileScales(float[] rowScales, float[] xd, int blocks, int b, float[] products) {
        int bound = blocks - blocks % LANES;
        for (int i = 0; i < 2; i++) {
            int dw = i * blocks;
            for (int j = 0; j < BATCH_TILE; j++) {
                int dx = (b + j) * blocks;
                int at = (i * BATCH_TILE + j) * blocks;
                int blk = 0;
                for (; blk < bound; blk += LANES) {
                    FloatVector.fromArray(Lanes.FLOATS, rowScales, dw + blk)
                            .mul(FloatVector.fromArray(Lanes.FLOATS, xd, dx + blk))
                            .intoArray(products, at + blk);
                }
                for (; blk < blocks; blk++) {
                    products[at + blk] = rowScales[dw + blk] * xd[dx + blk];
                }
            }
        }
    }

    /**
     * Two decoded rows against four inputs, eight outputs. Per block and output, {@code s = q0*x0},
     * {@code s = fma(qk, xk, s)} over the block's chunks, then {@code acc = fma(s, dw * dx, acc)}: every
     * product and partial sum is an integer below 2^24 (at most 4 x 127 x 127), so {@code s} holds exactly
     * the integers {@link #intRow1}'s lanes hold (same elements per lane, {@link Lanes#interleavedHalf}),
     * and the outputs are bit for bit {@link #intRow1}'s. Sixteen accumulators and the loaded vectors fit
     * AVX-512's 32 registers, four rows would not; with AVX2's 16 some spill (not measured: no such CPU here).
     */
    private static void rows2batch4(float[] rowQuants, float[] scaleProducts, float[] xf, int cols, int blocks, int rows, float[] out,
            int r0, int r1, int b, float[] parked) {
        if (WIDE) {
            wideRows2batch4(rowQuants, scaleProducts, xf, cols, blocks, rows, out, r0, r1, b, parked);
            return;
        }
        int x0 = b * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a00 = FloatVector.zero(Lanes.FLOATS);
        FloatVector a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        for (int blk = 0; blk < blocks; blk++) {
            int c = blk * Lanes.QBLOCK;
            FloatVector w0 = FloatVector.fromArray(Lanes.FLOATS, rowQuants, c);
            FloatVector w1 = FloatVector.fromArray(Lanes.FLOATS, rowQuants, cols + c);
            FloatVector xv = FloatVector.fromArray(Lanes.FLOATS, xf, x0 + c);
            FloatVector s00 = w0.mul(xv);
            FloatVector s10 = w1.mul(xv);
            xv = FloatVector.fromArray(Lanes.FLOATS, xf, x1 + c);
            FloatVector s01 = w0.mul(xv);
            FloatVector s11 = w1.mul(xv);
            xv = FloatVector.fromArray(Lanes.FLOATS, xf, x2 + c);
            FloatVector s02 = w0.mul(xv);
            FloatVector s12 = w1.mul(xv);
            xv = FloatVector.fromArray(Lanes.FLOATS, xf, x3 + c);
            FloatVector s03 = w0.mul(xv);
            FloatVector s13 = w1.mul(xv);
            for (int k = LANES; k < Lanes.QBLOCK; k += LANES) {
                int ck = c + k;
                w0 = FloatVector.fromArray(Lanes.FLOATS, rowQuants, ck);
                w1 = FloatVector.fromArray(Lanes.FLOATS, rowQuants, cols + ck);
                xv = FloatVector.fromArray(Lanes.FLOATS, xf, x0 + ck);
                s00 = w0.fma(xv, s00);
                s10 = w1.fma(xv, s10);
                xv = FloatVector.fromArray(Lanes.FLOATS, xf, x1 + ck);
                s01 = w0.fma(xv, s01);
                s11 = w1.fma(xv, s11);
                xv = FloatVector.fromArray(Lanes.FLOATS, xf, x2 + ck);
                s02 = w0.fma(xv, s02);
                s12 = w1.fma(xv, s12);
                xv = FloatVector.fromArray(Lanes.FLOATS, xf, x3 + ck);
                s03 = w0.fma(xv, s03);
                s13 = w1.fma(xv, s13);
            }
            a00 = s00.fma(FloatVector.broadcast(Lanes.FLOATS, scaleProducts[blk]), a00);
            a01 = s01.fma(FloatVector.broadcast(Lanes.FLOATS, scaleProducts[blocks + blk]), a01);
            a02 = s02.fma(FloatVector.broadcast(Lanes.FLOATS, scaleProducts[2 * blocks + blk]), a02);
            a03 = s03.fma(FloatVector.broadcast(Lanes.FLOATS, scaleProducts[3 * blocks + blk]), a03);
            a10 = s10.fma(FloatVector.broadcast(Lanes.FLOATS, scaleProducts[4 * blocks + blk]), a10);
            a11 = s11.fma(FloatVector.broadcast(Lanes.FLOATS, scaleProducts[5 * blocks + blk]), a11);
            a12 = s12.fma(FloatVector.broadcast(Lanes.FLOATS, scaleProducts[6 * blocks + blk]), a12);
            a13 = s13.fma(FloatVector.broadcast(Lanes.FLOATS, scaleProducts[7 * blocks + blk]), a13);
        }
        out[b * rows + r0] = Lanes.sumLanes(a00);
        out[(b + 1) * rows + r0] = Lanes.sumLanes(a01);
        out[(b + 2) * rows + r0] = Lanes.sumLanes(a02);
        out[(b + 3) * rows + r0] = Lanes.sumLanes(a03);
        out[b * rows + r1] = Lanes.sumLanes(a10);
        out[(b + 1) * rows + r1] = Lanes.sumLanes(a11);
        out[(b + 2) * rows + r1] = Lanes.sumLanes(a12);
        out[(b + 3) * rows + r1] = Lanes.sumLanes(a13);
    }

    /** A block's 16 short products summed in pairs to 8 float lanes, exactly; Q4_0's small products take a shorter way. */
    private static FloatVector blockSums(ShortVector products) {
        return DTYPE == DType.Q4_0 ? Lanes.smallPairSums(products) : Lanes.pairSums(products);
    }

    /**
     * One row against one quantized input. Per block: the 32 weight values and the 32 input values as
     * shorts, multiplied (exact: at most 127 x 127), the two halves added (exact: below 2^15), summed in
     * pairs into 8 float lanes ({@link Lanes#pairSums}, exact), then {@code acc = fma(sums, dw * dx, acc)}.
     * The block sum of each lane is an exact integer; only the scaling and the running sum round, in a
     * fixed order that every tile path repeats.
     */
    private static void intRow1(MemorySegment data, long w, int blocks, int cols, int rows, short[] xq, float[] xd, float[] out,
            int r, int b) {
        if (WIDE) {
            wideRow1(data, w, blocks, cols, rows, xq, xd, out, r, b);
            return;
        }
        int x0 = b * cols;
        int d0 = b * blocks;
        FloatVector acc = FloatVector.zero(Lanes.FLOATS);
        for (int blk = 0; blk < blocks; blk++) {
            long start = w + (long) blk * BLOCK_BYTES;
            ShortVector lo;
            ShortVector hi;
            if (DTYPE == DType.Q8_0) {
                lo = Lanes.q8_0Shorts(data, start, 0);
                hi = Lanes.q8_0Shorts(data, start, 1);
            } else {
                ShortVector packed = Lanes.q4_0Widened(data, start);
                lo = Lanes.q4_0Low(packed);
                hi = Lanes.q4_0High(packed);
            }
            float dw = Lanes.blockScale(data, start);
            int xc = x0 + blk * Lanes.QBLOCK;
            ShortVector p = lo.mul(ShortVector.fromArray(Lanes.SHORTS_256, xq, xc))
                    .add(hi.mul(ShortVector.fromArray(Lanes.SHORTS_256, xq, xc + 16)));
            acc = blockSums(p).fma(FloatVector.broadcast(Lanes.FLOATS, dw * xd[d0 + blk]), acc);
        }
        out[b * rows + r] = Lanes.sumLanes(acc);
    }

    // ---- the same with 512-bit vectors ({@link Lanes#WIDE_BLOCKS}): one block per vector ----

    /**
     * {@link #intRow1} with a whole block per vector: the 32 weight values in {@link Lanes#pairedBlock}
     * order times the 32 input values (held in the same order), one multiply; the pair sums give 16 exact
     * integers, lane {@code j} holding elements {@code j} and {@code j + 16}; then
     * {@code acc = fma(sums, dw * dx, acc)} and at the end {@link Lanes#sumWideLanes}.
     */
    private static void wideRow1(MemorySegment data, long w, int blocks, int cols, int rows, short[] xq, float[] xd, float[] out,
            int r, int b) {
        int x0 = b * cols;
        int d0 = b * blocks;
        FloatVector acc = FloatVector.zero(Lanes.FLOATS_512);
        for (int blk = 0; blk < blocks; blk++) {
            long start = w + (long) blk * BLOCK_BYTES;
            ShortVector q = DTYPE == DType.Q8_0 ? Lanes.q8_0Paired(data, start) : Lanes.q4_0Paired(data, start);
            float dw = Lanes.blockScale(data, start);
            ShortVector p = q.mul(ShortVector.fromArray(Lanes.SHORTS_512, xq, x0 + blk * Lanes.QBLOCK));
            acc = Lanes.widePairSums(p).fma(FloatVector.broadcast(Lanes.FLOATS_512, dw * xd[d0 + blk]), acc);
        }
        out[b * rows + r] = Lanes.sumWideLanes(acc);
    }

    /**
     * {@link #rows2batch4} with 16-lane floats: per block and output {@code s = q0*x0 + q1*x1} over the
     * block's two 16-element halves (exact integers, lane {@code j} holding elements {@code j} and
     * {@code j + 16} as {@link #wideRow1}'s lanes do), then {@code acc = fma(s, dw * dx, acc)}.
     */
    private static void wideRows2batch4(float[] rowQuants, float[] scaleProducts, float[] xf, int cols, int blocks, int rows,
            float[] out, int r0, int r1, int b, float[] parked) {
        int x0 = b * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        int half = Lanes.QBLOCK / 2;
        FloatVector a00 = FloatVector.zero(Lanes.FLOATS_512);
        FloatVector a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        for (int blk = 0; blk < blocks; blk++) {
            int c = blk * Lanes.QBLOCK;
            FloatVector w0 = FloatVector.fromArray(Lanes.FLOATS_512, rowQuants, c);
            FloatVector w1 = FloatVector.fromArray(Lanes.FLOATS_512, rowQuants, cols + c);
            FloatVector v0 = FloatVector.fromArray(Lanes.FLOATS_512, rowQuants, c + half);
            FloatVector v1 = FloatVector.fromArray(Lanes.FLOATS_512, rowQuants, cols + c + half);
            FloatVector xv = FloatVector.fromArray(Lanes.FLOATS_512, xf, x0 + c);
            FloatVector xh = FloatVector.fromArray(Lanes.FLOATS_512, xf, x0 + c + half);
            FloatVector s00 = v0.fma(xh, w0.mul(xv));
            FloatVector s10 = v1.fma(xh, w1.mul(xv));
            xv = FloatVector.fromArray(Lanes.FLOATS_512, xf, x1 + c);
            xh = FloatVector.fromArray(Lanes.FLOATS_512, xf, x1 + c + half);
            FloatVector s01 = v0.fma(xh, w0.mul(xv));
            FloatVector s11 = v1.fma(xh, w1.mul(xv));
            xv = FloatVector.fromArray(Lanes.FLOATS_512, xf, x2 + c);
            xh = FloatVector.fromArray(Lanes.FLOATS_512, xf, x2 + c + half);
            FloatVector s02 = v0.fma(xh, w0.mul(xv));
            FloatVector s12 = v1.fma(xh, w1.mul(xv));
            xv = FloatVector.fromArray(Lanes.FLOATS_512, xf, x3 + c);
            xh = FloatVector.fromArray(Lanes.FLOATS_512, xf, x3 + c + half);
            FloatVector s03 = v0.fma(xh, w0.mul(xv));
            FloatVector s13 = v1.fma(xh, w1.mul(xv));
            a00 = s00.fma(FloatVector.broadcast(Lanes.FLOATS_512, scaleProducts[blk]), a00);
            a01 = s01.fma(FloatVector.broadcast(Lanes.FLOATS_512, scaleProducts[blocks + blk]), a01);
            a02 = s02.fma(FloatVector.broadcast(Lanes.FLOATS_512, scaleProducts[2 * blocks + blk]), a02);
            a03 = s03.fma(FloatVector.broadcast(Lanes.FLOATS_512, scaleProducts[3 * blocks + blk]), a03);
            a10 = s10.fma(FloatVector.broadcast(Lanes.FLOATS_512, scaleProducts[4 * blocks + blk]), a10);
            a11 = s11.fma(FloatVector.broadcast(Lanes.FLOATS_512, scaleProducts[5 * blocks + blk]), a11);
            a12 = s12.fma(FloatVector.broadcast(Lanes.FLOATS_512, scaleProducts[6 * blocks + blk]), a12);
            a13 = s13.fma(FloatVector.broadcast(Lanes.FLOATS_512, scaleProducts[7 * blocks + blk]), a13);
        }
        // Parked and summed from the array: eight lane reductions inlined here pushed C2 to call some of
        // them, boxing their vectors (1.3 MB allocated per 768x2048 call at batch 16).
        a00.intoArray(parked, 0);
        a01.intoArray(parked, 16);
        a02.intoArray(parked, 32);
        a03.intoArray(parked, 48);
        a10.intoArray(parked, 64);
        a11.intoArray(parked, 80);
        a12.intoArray(parked, 96);
        a13.intoArray(parked, 112);
        for (int j = 0; j < BATCH_TILE; j++) {
            out[(b + j) * rows + r0] = Lanes.sumWideLanes(parked, 16 * j);
            out[(b + j) * rows + r1] = Lanes.sumWideLanes(parked, 64 + 16 * j);
        }
    }
}
