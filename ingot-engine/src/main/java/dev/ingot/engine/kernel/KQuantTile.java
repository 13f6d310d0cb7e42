package dev.ingot.engine.kernel;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The batched K-quant path on 512-bit vectors (prefill, batched decode): each row's super-blocks are
 * decoded once per call into a float scratch, and the inputs are swept in tiles of two rows by four
 * inputs of plain float loads and FMAs, as {@link QuantRowBlock}'s Q8_0/Q4_0 tile does. The batch-1 rows
 * ({@link KQuantRowBlock}) decode every super-block again for each input; with many inputs the decoding,
 * not the multiply-adds, was what they spent their time on. (Tried and measured slower, KQuantRowProbe
 * batch 64: a 4 x 4 tile with the accumulators in memory, 0.3x; 2 x 4 with them in memory and the scratch
 * off-heap and 64-byte aligned, 0.75x.)
 *
 * <p>Bit for bit the batch-1 rows. Those hold, per super-block, 16 int lanes: lane {@code i} is the sum
 * over each 32-weight group of {@code scale * (q[2i] x[2i] + q[2i+1] x[2i+1])} (their pair sums), then
 * {@code acc = fma(float(lane), d * dx, acc)}. The scratch holds {@code scale * q} (Q4_K: at most 63 x 15;
 * Q6_K: 128 x 63, exact as floats) with each 32-weight group stored as its even elements then its odd
 * ones, and the inputs' quants come in the same order ({@link Q8KActivations#tileQuants}); so lane
 * {@code i} of the tile's 16 chunks per super-block meets exactly the elements of the int lane {@code i},
 * and every partial sum is an integer below 2^24 (Q4_K: 16 x 945 x 127; Q6_K: 16 x 8064 x 127), exact in
 * any order. Q6_K's {@code -32} offset, which the batch-1 row starts its int lanes with, is added once
 * after the products: both exact, one rounding, the same one the int-to-float conversion makes. Q4_K's
 * mins go through the batch-1 row's own integer operations into a second accumulator.
 */
final class KQuantTile {

    /** Inputs per tile; a batch below this takes the batch-1 rows. */
    static final int INPUTS = 4;

    /**
     * Q6_K batches below this take the batch-1 rows: its two-input row beat the tile at batch 8 (decoding a
     * Q6_K block costs more than a Q4_K one and 8 inputs did not repay it), the tile won at 64
     * (KQuantRowProbe 768 x 2048; 16 is between the two measured points).
     */
    static final int Q6_K_MIN_BATCH = 16;

    /** On with 512-bit vectors; {@code -Dingot.kquants.tile=false} leaves batches to the batch-1 rows (for A/B measurements). */
    static final boolean ENABLED = Lanes.WIDE_BLOCKS && !"false".equals(System.getProperty("ingot.kquants.tile"));

    /** Weights per super-block, and per float vector. */
    private static final int BLOCK = Q8KActivations.BLOCK;
    private static final int LANES = 16;
    /** Q6_K's sub-block pairs as lane indices: lanes 0..7 read scale {@code 2i}, lanes 8..15 scale {@code 2i + 1} (plus {@code 2i}). */
    private static final IntVector SUB_BLOCK_PAIR = IntVector.zero(Lanes.INTS_512).addIndex(1).lanewise(VectorOperators.LSHR, 3);

    private KQuantTile() {}

    /**
     * Rows {@code [from, to)} of a Q4_K matrix, inputs {@code [0, tiled)} ({@code tiled} a multiple of
     * {@link #INPUTS}), two rows at a time: both decoded, then the inputs in tiles of four. (One entry point
     * per type, as in {@link KQuantRowBlock}, so no compiled method holds both types' decoding.)
     */
    static void q4_KRows(MemorySegment data, int rows, int cols, long rowBytes, Q8KActivations q8k, float[] out, int tiled,
            int from, int to) {
        int blocks = cols / BLOCK;
        Scratch s = Scratch.of(cols);
        for (int r = from; r < to; r += 2) {
            // An odd last row is paired with itself: computed twice, stored twice, the same bits.
            int r1 = Math.min(r + 1, to - 1);
            decodeQ4_K(data, r * rowBytes, blocks, s, 0);
            decodeQ4_K(data, r1 * rowBytes, blocks, s, 1);
            for (int b = 0; b < tiled; b += INPUTS) {
                rows2batch4(s, null, q8k.tileQuants(), q8k.scales(), cols, blocks, rows, out, r, r1, b);
                subtractMins(s, q8k.minSums(), q8k.scales(), blocks, rows, out, r, r1, b);
            }
        }
    }

    /** {@link #q4_KRows} for Q6_K. */
    static void q6_KRows(MemorySegment data, int rows, int cols, long rowBytes, Q8KActivations q8k, float[] out, int tiled,
            int from, int to) {
        int blocks = cols / BLOCK;
        Scratch s = Scratch.of(cols);
        for (int r = from; r < to; r += 2) {
            int r1 = Math.min(r + 1, to - 1);
            decodeQ6_K(data, r * rowBytes, blocks, s, 0);
            decodeQ6_K(data, r1 * rowBytes, blocks, s, 1);
            for (int b = 0; b < tiled; b += INPUTS) {
                rows2batch4(s, q8k.offsetSums(), q8k.tileQuants(), q8k.scales(), cols, blocks, rows, out, r, r1, b);
            }
        }
    }

    /**
     * One call's decoded rows (two at a time): {@code values} the scaled quants (row {@code i} at
     * {@code i * cols}, pair order), {@code d} the super-block scales, and for Q4_K {@code dmin} and
     * {@code scalesAndMins} (16 ints per block, as {@link KQuantLanes#q4_KScalesAndMins}), for Q6_K
     * {@code offsetScales} (the 16 sub-block scales per block, as floats); {@code parked} the tile's
     * accumulators for summing.
     */
    private record Scratch(float[] values, float[] d, float[] dmin, int[] scalesAndMins, float[] offsetScales, float[] parked) {

        static Scratch of(int cols) {
            int blocks = cols / BLOCK;
            return new Scratch(new float[2 * cols], new float[2 * blocks], new float[2 * blocks], new int[2 * blocks * 16],
                    new float[2 * blocks * 16], new float[2 * INPUTS * LANES]);
        }
    }

    /**
     * {@code v}'s 32 values (a 32-weight group) times {@code scale}, stored at {@code at} as the even
     * elements (lane {@code i}: element {@code 2i}) then the odd ones: the two halves of each int lane of
     * the pair sums.
     */
    private static void storePairOrdered(ShortVector v, FloatVector scale, float[] a, int at) {
        IntVector pairs = (IntVector) v.reinterpretAsInts();
        IntVector even = pairs.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16);
        IntVector odd = pairs.lanewise(VectorOperators.ASHR, 16);
        ((FloatVector) even.convert(VectorOperators.I2F, 0)).mul(scale).intoArray(a, at);
        ((FloatVector) odd.convert(VectorOperators.I2F, 0)).mul(scale).intoArray(a, at + LANES);
    }

    /** Q4_K row {@code i} of the pair: nibbles times their sub-block's six-bit scale; the scales and mins kept for {@link #subtractMins}. */
    private static void decodeQ4_K(MemorySegment data, long w, int blocks, Scratch s, int i) {
        int cols = blocks * BLOCK;
        for (int blk = 0; blk < blocks; blk++) {
            long start = w + (long) blk * KQuantLanes.Q4_K_BYTES;
            int sm = (i * blocks + blk) * 16;
            KQuantLanes.q4_KScalesAndMins(data, start).intoArray(s.scalesAndMins(), sm);
            s.d()[i * blocks + blk] = KQuantLanes.half(data, start);
            s.dmin()[i * blocks + blk] = KQuantLanes.half(data, start + 2);
            int at = i * cols + blk * BLOCK;
            for (int g = 0; g < 4; g++) {
                ShortVector nibbles = KQuantLanes.widen32(data, start + 16 + 32L * g);
                FloatVector low = FloatVector.broadcast(Lanes.FLOATS_512, s.scalesAndMins()[sm + 2 * g]);
                FloatVector high = FloatVector.broadcast(Lanes.FLOATS_512, s.scalesAndMins()[sm + 2 * g + 1]);
                storePairOrdered(KQuantLanes.lowNibbles(nibbles), low, s.values(), at + 64 * g);
                storePairOrdered(KQuantLanes.highNibbles(nibbles), high, s.values(), at + 64 * g + 32);
            }
        }
    }

    /** Q6_K row {@code i} of the pair: six-bit values (unsigned) times their sub-block's scale; the scales kept for the {@code -32} offsets. */
    private static void decodeQ6_K(MemorySegment data, long w, int blocks, Scratch s, int i) {
        int cols = blocks * BLOCK;
        for (int blk = 0; blk < blocks; blk++) {
            long start = w + (long) blk * KQuantLanes.Q6_K_BYTES;
            IntVector scales = KQuantLanes.q6_KScales(data, start);
            ((FloatVector) scales.convert(VectorOperators.I2F, 0)).intoArray(s.offsetScales(), (i * blocks + blk) * 16);
            s.d()[i * blocks + blk] = KQuantLanes.half(data, start + 208);
            int at = i * cols + blk * BLOCK;
            for (int h = 0; h < 2; h++) {
                ShortVector ql0 = KQuantLanes.widen32(data, start + 64L * h);
                ShortVector ql1 = KQuantLanes.widen32(data, start + 64L * h + 32);
                ShortVector qh = KQuantLanes.widen32(data, start + 128 + 32L * h);
                for (int j = 0; j < 4; j++) {
                    // After pair ordering, lanes 0..7 of both halves are sub-block 8h + 2j, lanes 8..15 the next.
                    FloatVector pairScales = (FloatVector) SUB_BLOCK_PAIR.add(8 * h + 2 * j).selectFrom(scales).convert(VectorOperators.I2F, 0);
                    storePairOrdered(KQuantLanes.q6_KValues((j & 1) == 0 ? ql0 : ql1, qh, j), pairScales, s.values(), at + 128 * h + 32 * j);
                }
            }
        }
    }

    /**
     * Rows {@code r0}, {@code r1} against inputs {@code b..b+3}, eight outputs. Per super-block and output,
     * {@code s} sums the 16 chunks' products (exact integers), Q6_K adds its {@code -32 * scale * sum}
     * lanes ({@code offsetSums} non-null), then {@code acc = fma(s, d * dx, acc)}.
     */
    private static void rows2batch4(Scratch scratch, float[] offsetSums, float[] xf, float[] xd, int cols, int blocks, int rows,
            float[] out, int r0, int r1, int b) {
        float[] vals = scratch.values();
        float[] d = scratch.d();
        int x0 = b * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a00 = FloatVector.zero(Lanes.FLOATS_512);
        FloatVector a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        for (int blk = 0; blk < blocks; blk++) {
            int c = blk * BLOCK;
            FloatVector w0 = FloatVector.fromArray(Lanes.FLOATS_512, vals, c);
            FloatVector w1 = FloatVector.fromArray(Lanes.FLOATS_512, vals, cols + c);
            FloatVector xv = FloatVector.fromArray(Lanes.FLOATS_512, xf, x0 + c);
            FloatVector s00 = w0.mul(xv);
            FloatVector s10 = w1.mul(xv);
            xv = FloatVector.fromArray(Lanes.FLOATS_512, xf, x1 + c);
            FloatVector s01 = w0.mul(xv);
            FloatVector s11 = w1.mul(xv);
            xv = FloatVector.fromArray(Lanes.FLOATS_512, xf, x2 + c);
            FloatVector s02 = w0.mul(xv);
            FloatVector s12 = w1.mul(xv);
            xv = FloatVector.fromArray(Lanes.FLOATS_512, xf, x3 + c);
            FloatVector s03 = w0.mul(xv);
            FloatVector s13 = w1.mul(xv);
            for (int k = LANES; k < BLOCK; k += LANES) {
                int ck = c + k;
                w0 = FloatVector.fromArray(Lanes.FLOATS_512, vals, ck);
                w1 = FloatVector.fromArray(Lanes.FLOATS_512, vals, cols + ck);
                xv = FloatVector.fromArray(Lanes.FLOATS_512, xf, x0 + ck);
                s00 = w0.fma(xv, s00);
                s10 = w1.fma(xv, s10);
                xv = FloatVector.fromArray(Lanes.FLOATS_512, xf, x1 + ck);
                s01 = w0.fma(xv, s01);
                s11 = w1.fma(xv, s11);
                xv = FloatVector.fromArray(Lanes.FLOATS_512, xf, x2 + ck);
                s02 = w0.fma(xv, s02);
                s12 = w1.fma(xv, s12);
                xv = FloatVector.fromArray(Lanes.FLOATS_512, xf, x3 + ck);
                s03 = w0.fma(xv, s03);
                s13 = w1.fma(xv, s13);
            }
            int xb = b * blocks + blk;
            if (offsetSums != null) {
                float[] scales = scratch.offsetScales();
                FloatVector o0 = FloatVector.fromArray(Lanes.FLOATS_512, scales, blk * 16);
                FloatVector o1 = FloatVector.fromArray(Lanes.FLOATS_512, scales, (blocks + blk) * 16);
                xv = FloatVector.fromArray(Lanes.FLOATS_512, offsetSums, xb * 16);
                s00 = s00.add(o0.mul(xv));
                s10 = s10.add(o1.mul(xv));
                xv = FloatVector.fromArray(Lanes.FLOATS_512, offsetSums, (xb + blocks) * 16);
                s01 = s01.add(o0.mul(xv));
                s11 = s11.add(o1.mul(xv));
                xv = FloatVector.fromArray(Lanes.FLOATS_512, offsetSums, (xb + 2 * blocks) * 16);
                s02 = s02.add(o0.mul(xv));
                s12 = s12.add(o1.mul(xv));
                xv = FloatVector.fromArray(Lanes.FLOATS_512, offsetSums, (xb + 3 * blocks) * 16);
                s03 = s03.add(o0.mul(xv));
                s13 = s13.add(o1.mul(xv));
            }
            float d0 = d[blk];
            float d1 = d[blocks + blk];
            float dx0 = xd[xb];
            float dx1 = xd[xb + blocks];
            float dx2 = xd[xb + 2 * blocks];
            float dx3 = xd[xb + 3 * blocks];
            a00 = s00.fma(FloatVector.broadcast(Lanes.FLOATS_512, d0 * dx0), a00);
            a01 = s01.fma(FloatVector.broadcast(Lanes.FLOATS_512, d0 * dx1), a01);
            a02 = s02.fma(FloatVector.broadcast(Lanes.FLOATS_512, d0 * dx2), a02);
            a03 = s03.fma(FloatVector.broadcast(Lanes.FLOATS_512, d0 * dx3), a03);
            a10 = s10.fma(FloatVector.broadcast(Lanes.FLOATS_512, d1 * dx0), a10);
            a11 = s11.fma(FloatVector.broadcast(Lanes.FLOATS_512, d1 * dx1), a11);
            a12 = s12.fma(FloatVector.broadcast(Lanes.FLOATS_512, d1 * dx2), a12);
            a13 = s13.fma(FloatVector.broadcast(Lanes.FLOATS_512, d1 * dx3), a13);
        }
        // Parked and summed from the array, as QuantRowBlock's tile does (eight inlined lane reductions made C2 box vectors).
        float[] parked = scratch.parked();
        a00.intoArray(parked, 0);
        a01.intoArray(parked, 16);
        a02.intoArray(parked, 32);
        a03.intoArray(parked, 48);
        a10.intoArray(parked, 64);
        a11.intoArray(parked, 80);
        a12.intoArray(parked, 96);
        a13.intoArray(parked, 112);
        for (int j = 0; j < INPUTS; j++) {
            out[(b + j) * rows + r0] = Lanes.sumWideLanes(parked, 16 * j);
            out[(b + j) * rows + r1] = Lanes.sumWideLanes(parked, 64 + 16 * j);
        }
    }

    /**
     * Q4_K's mins term for the tile's eight outputs, subtracted from their sums: per super-block the
     * unpacked scales and mins times the inputs' 32-weight sums (lanes 0..7 of {@code minSums} are zero),
     * {@code minAcc = fma(float(mins), dmin * dx, minAcc)}, the batch-1 row's own operations.
     */
    private static void subtractMins(Scratch s, int[] minSums, float[] xd, int blocks, int rows, float[] out, int r0, int r1, int b) {
        // An odd last row (r1 == r0) has its outputs stored once, so its mins are subtracted once.
        for (int i = 0; i < (r1 == r0 ? 1 : 2); i++) {
            int r = i == 0 ? r0 : r1;
            for (int j = b; j < b + INPUTS; j++) {
                FloatVector minAcc = FloatVector.zero(Lanes.FLOATS_512);
                for (int blk = 0; blk < blocks; blk++) {
                    IntVector mins = IntVector.fromArray(Lanes.INTS_512, s.scalesAndMins(), (i * blocks + blk) * 16)
                            .mul(IntVector.fromArray(Lanes.INTS_512, minSums, (j * blocks + blk) * 16));
                    minAcc = ((FloatVector) mins.convert(VectorOperators.I2F, 0))
                            .fma(FloatVector.broadcast(Lanes.FLOATS_512, s.dmin()[i * blocks + blk] * xd[j * blocks + blk]), minAcc);
                }
                out[j * rows + r] -= Lanes.sumWideLanes(minAcc);
            }
        }
    }
}
