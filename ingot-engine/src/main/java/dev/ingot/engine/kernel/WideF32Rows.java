package dev.ingot.engine.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * F32 rows against a batch in 512-bit register tiles, and the batch-1 row in the same summation order
 * with 256-bit loads. Batched calls are compute-bound (each weight row comes from DRAM once and is re-read
 * from L2 for every tile of inputs), and an AVX-512 core runs a 512-bit FMA at the rate of a 256-bit one;
 * batch 1 streams its weights once and stays at 256 bits (see {@link Lanes#DEFAULT_MAX_BITS}).
 *
 * <p>The order every output {@code (row, b)} is computed in, in every tile and at batch 1: sixteen lane
 * sums, lane {@code k} an FMA chain over columns {@code k, k + 16, k + 32, ...} up to the last whole
 * 16-column chunk; the lanes folded by {@link Lanes#sumWideLanes(float[], int)}'s tree (lane {@code i}
 * plus lane {@code i + 8} first); then the remaining columns by scalar FMAs in order. Batch 1 holds the
 * sixteen lanes as two 256-bit accumulators (columns {@code 16j..16j+7} and {@code 16j+8..16j+15}); adding
 * them lane by lane is the tree's first level, and {@link Lanes#sumLanes} is the rest of it. So a row's
 * result is the same bits alone or in any tile.
 */
final class WideF32Rows {

    /**
     * Whether F32 rows go this way ({@code -Dingot.tiles.wide=false} turns it off): the CPU runs 512-bit
     * vectors and the batch-1 lanes are 256 bits wide, the two halves of a 512-bit accumulator.
     */
    static final boolean ENABLED = Lanes.LANES == 8 && FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512
            && !"false".equals(System.getProperty("ingot.tiles.wide"));

    private static final VectorSpecies<Float> WIDE = FloatVector.SPECIES_512;
    private static final VectorSpecies<Float> HALF = FloatVector.SPECIES_256;
    private static final int LANES = 16;
    private static final int HALF_LANES = 8;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    private static final int ROW_TILE = 4;
    private static final int BATCH_TILE = 6;
    /** Accumulators of the largest tile, parked for the lane sums. */
    private static final int PARKED = ROW_TILE * BATCH_TILE * LANES;

    /** As in {@link TypedRowBlock}: a row chunk and an input chunk fit the core's L2 together. */
    private static final int CHUNK_WEIGHT_BYTES = 256 * 1024;
    private static final int CHUNK_INPUT_BYTES = 192 * 1024;

    private WideF32Rows() {}

    /** Rows {@code [from, to)} of a {@code [rows, cols]} F32 matrix against {@code batch} inputs. */
    static void rows(MemorySegment data, int rows, int cols, float[] x, float[] out, int batch, int from, int to) {
        int bound = cols - cols % LANES;
        if (batch == 1) {
            for (int r = from; r < to; r++) {
                row1(data, cols, bound, rows, x, out, r);
            }
            return;
        }
        float[] parked = new float[PARKED];
        int last = to - 1;
        int rowChunk = chunk(CHUNK_WEIGHT_BYTES / Math.max(1L, (long) cols * Float.BYTES), to - from, ROW_TILE);
        int batchChunk = chunk(CHUNK_INPUT_BYTES / ((long) cols * Float.BYTES), batch, BATCH_TILE);
        for (int rowStart = from; rowStart < to; rowStart += rowChunk) {
            int rowEnd = Math.min(to, rowStart + rowChunk);
            for (int batchStart = 0; batchStart < batch; batchStart += batchChunk) {
                int batchEnd = Math.min(batch, batchStart + batchChunk);
                for (int r = rowStart; r < rowEnd; r += ROW_TILE) {
                    // Rows past the end of the block repeat the last row: computed the same way, stored again.
                    int r1 = Math.min(r + 1, last);
                    int r2 = Math.min(r + 2, last);
                    int r3 = Math.min(r + 3, last);
                    int b = batchStart;
                    for (; b + BATCH_TILE <= batchEnd; b += BATCH_TILE) {
                        rows4batch6(data, cols, bound, x, parked, r, r1, r2, r3, b);
                        finish(data, cols, bound, rows, x, out, parked, r, r1, r2, r3, BATCH_TILE, b);
                    }
                    int left = batchEnd - b;
                    if (left >= 4) {
                        rows4batch4(data, cols, bound, x, parked, r, r1, r2, r3, b);
                        finish(data, cols, bound, rows, x, out, parked, r, r1, r2, r3, 4, b);
                        b += 4;
                        left -= 4;
                    }
                    if (left >= 2) {
                        rows4batch2(data, cols, bound, x, parked, r, r1, r2, r3, b);
                        finish(data, cols, bound, rows, x, out, parked, r, r1, r2, r3, 2, b);
                        b += 2;
                        left -= 2;
                    }
                    if (left == 1) {
                        rows4batch1(data, cols, bound, x, parked, r, r1, r2, r3, b);
                        finish(data, cols, bound, rows, x, out, parked, r, r1, r2, r3, 1, b);
                    }
                }
            }
        }
    }

    /** Chunk size for {@code total} items when {@code fits} fit: equal chunks, each a multiple of {@code tile}. */
    private static int chunk(long fits, int total, int tile) {
        long chunks = Math.ceilDiv(total, Math.max(tile, fits));
        long size = Math.ceilDiv(total, chunks);
        return (int) Math.ceilDiv(size, tile) * tile;
    }

    private static FloatVector weights(MemorySegment data, long index) {
        return FloatVector.fromMemorySegment(WIDE, data, index * Float.BYTES, LE);
    }

    private static FloatVector inputs(float[] x, int at) {
        return FloatVector.fromArray(WIDE, x, at);
    }

    /**
     * One row against one input: the sixteen lanes as two 256-bit halves. The row streams front to back, at
     * the read rate of 256-bit loads (512-bit loads from a mapped file, 8 bytes past a cache line, straddle
     * two lines each).
     */
    private static void row1(MemorySegment data, int cols, int bound, int rows, float[] x, float[] out, int r) {
        long w = (long) r * cols;
        FloatVector low = FloatVector.zero(HALF);
        FloatVector high = low;
        for (int c = 0; c < bound; c += LANES) {
            low = FloatVector.fromMemorySegment(HALF, data, (w + c) * Float.BYTES, LE)
                    .fma(FloatVector.fromArray(HALF, x, c), low);
            high = FloatVector.fromMemorySegment(HALF, data, (w + c + HALF_LANES) * Float.BYTES, LE)
                    .fma(FloatVector.fromArray(HALF, x, c + HALF_LANES), high);
        }
        float sum = Lanes.sumLanes(low.add(high));
        for (int c = bound; c < cols; c++) {
            sum = Math.fma(data.getAtIndex(F32, w + c), x[c], sum);
        }
        out[r] = sum;
    }

    /**
     * Sums the parked accumulators (accumulator {@code i * tileBatch + j} for row {@code i} of the tile and
     * input {@code b + j}), adds the columns past the last whole chunk in order, and stores the results.
     * Outside the tiles: inlined there, the reductions would push C2 past its node budget and box vectors.
     */
    private static void finish(MemorySegment data, int cols, int bound, int rows, float[] x, float[] out,
            float[] parked, int r0, int r1, int r2, int r3, int tileBatch, int b) {
        for (int i = 0; i < ROW_TILE; i++) {
            int r = i == 0 ? r0 : i == 1 ? r1 : i == 2 ? r2 : r3;
            long rowStart = (long) r * cols;
            for (int j = 0; j < tileBatch; j++) {
                int xStart = (b + j) * cols;
                float sum = Lanes.sumWideLanes(parked, (i * tileBatch + j) * LANES);
                for (int c = bound; c < cols; c++) {
                    sum = Math.fma(data.getAtIndex(F32, rowStart + c), x[xStart + c], sum);
                }
                out[(b + j) * rows + r] = sum;
            }
        }
    }

    /**
     * Four rows against six inputs: 24 accumulators, four weight vectors and one input vector in 29 of the
     * 32 registers; per 16 columns 10 loads feed 24 FMAs.
     */
    private static void rows4batch6(MemorySegment data, int cols, int bound, float[] x, float[] parked,
            int r0, int r1, int r2, int r3, int b) {
        long w0 = (long) r0 * cols;
        long w1 = (long) r1 * cols;
        long w2 = (long) r2 * cols;
        long w3 = (long) r3 * cols;
        int x0 = b * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        int x4 = x3 + cols;
        int x5 = x4 + cols;
        FloatVector a00 = FloatVector.zero(WIDE);
        FloatVector a01 = a00, a02 = a00, a03 = a00, a04 = a00, a05 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00, a14 = a00, a15 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00, a24 = a00, a25 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00, a34 = a00, a35 = a00;
        for (int c = 0; c < bound; c += LANES) {
            FloatVector v0 = weights(data, w0 + c);
            FloatVector v1 = weights(data, w1 + c);
            FloatVector v2 = weights(data, w2 + c);
            FloatVector v3 = weights(data, w3 + c);
            FloatVector xv = inputs(x, x0 + c);
            a00 = v0.fma(xv, a00);
            a10 = v1.fma(xv, a10);
            a20 = v2.fma(xv, a20);
            a30 = v3.fma(xv, a30);
            xv = inputs(x, x1 + c);
            a01 = v0.fma(xv, a01);
            a11 = v1.fma(xv, a11);
            a21 = v2.fma(xv, a21);
            a31 = v3.fma(xv, a31);
            xv = inputs(x, x2 + c);
            a02 = v0.fma(xv, a02);
            a12 = v1.fma(xv, a12);
            a22 = v2.fma(xv, a22);
            a32 = v3.fma(xv, a32);
            xv = inputs(x, x3 + c);
            a03 = v0.fma(xv, a03);
            a13 = v1.fma(xv, a13);
            a23 = v2.fma(xv, a23);
            a33 = v3.fma(xv, a33);
            xv = inputs(x, x4 + c);
            a04 = v0.fma(xv, a04);
            a14 = v1.fma(xv, a14);
            a24 = v2.fma(xv, a24);
            a34 = v3.fma(xv, a34);
            xv = inputs(x, x5 + c);
            a05 = v0.fma(xv, a05);
            a15 = v1.fma(xv, a15);
            a25 = v2.fma(xv, a25);
            a35 = v3.fma(xv, a35);
        }
        a00.intoArray(parked, 0);
        a01.intoArray(parked, LANES);
        a02.intoArray(parked, 2 * LANES);
        a03.intoArray(parked, 3 * LANES);
        a04.intoArray(parked, 4 * LANES);
        a05.intoArray(parked, 5 * LANES);
        a10.intoArray(parked, 6 * LANES);
        a11.intoArray(parked, 7 * LANES);
        a12.intoArray(parked, 8 * LANES);
        a13.intoArray(parked, 9 * LANES);
        a14.intoArray(parked, 10 * LANES);
        a15.intoArray(parked, 11 * LANES);
        a20.intoArray(parked, 12 * LANES);
        a21.intoArray(parked, 13 * LANES);
        a22.intoArray(parked, 14 * LANES);
        a23.intoArray(parked, 15 * LANES);
        a24.intoArray(parked, 16 * LANES);
        a25.intoArray(parked, 17 * LANES);
        a30.intoArray(parked, 18 * LANES);
        a31.intoArray(parked, 19 * LANES);
        a32.intoArray(parked, 20 * LANES);
        a33.intoArray(parked, 21 * LANES);
        a34.intoArray(parked, 22 * LANES);
        a35.intoArray(parked, 23 * LANES);
    }

    /** Four rows against four inputs (an input remainder): per output the same sequence as {@link #rows4batch6}. */
    private static void rows4batch4(MemorySegment data, int cols, int bound, float[] x, float[] parked,
            int r0, int r1, int r2, int r3, int b) {
        long w0 = (long) r0 * cols;
        long w1 = (long) r1 * cols;
        long w2 = (long) r2 * cols;
        long w3 = (long) r3 * cols;
        int x0 = b * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a00 = FloatVector.zero(WIDE);
        FloatVector a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int c = 0; c < bound; c += LANES) {
            FloatVector v0 = weights(data, w0 + c);
            FloatVector v1 = weights(data, w1 + c);
            FloatVector v2 = weights(data, w2 + c);
            FloatVector v3 = weights(data, w3 + c);
            FloatVector xv = inputs(x, x0 + c);
            a00 = v0.fma(xv, a00);
            a10 = v1.fma(xv, a10);
            a20 = v2.fma(xv, a20);
            a30 = v3.fma(xv, a30);
            xv = inputs(x, x1 + c);
            a01 = v0.fma(xv, a01);
            a11 = v1.fma(xv, a11);
            a21 = v2.fma(xv, a21);
            a31 = v3.fma(xv, a31);
            xv = inputs(x, x2 + c);
            a02 = v0.fma(xv, a02);
            a12 = v1.fma(xv, a12);
            a22 = v2.fma(xv, a22);
            a32 = v3.fma(xv, a32);
            xv = inputs(x, x3 + c);
            a03 = v0.fma(xv, a03);
            a13 = v1.fma(xv, a13);
            a23 = v2.fma(xv, a23);
            a33 = v3.fma(xv, a33);
        }
        a00.intoArray(parked, 0);
        a01.intoArray(parked, LANES);
        a02.intoArray(parked, 2 * LANES);
        a03.intoArray(parked, 3 * LANES);
        a10.intoArray(parked, 4 * LANES);
        a11.intoArray(parked, 5 * LANES);
        a12.intoArray(parked, 6 * LANES);
        a13.intoArray(parked, 7 * LANES);
        a20.intoArray(parked, 8 * LANES);
        a21.intoArray(parked, 9 * LANES);
        a22.intoArray(parked, 10 * LANES);
        a23.intoArray(parked, 11 * LANES);
        a30.intoArray(parked, 12 * LANES);
        a31.intoArray(parked, 13 * LANES);
        a32.intoArray(parked, 14 * LANES);
        a33.intoArray(parked, 15 * LANES);
    }

    /** Four rows against two inputs (an input remainder). */
    private static void rows4batch2(MemorySegment data, int cols, int bound, float[] x, float[] parked,
            int r0, int r1, int r2, int r3, int b) {
        long w0 = (long) r0 * cols;
        long w1 = (long) r1 * cols;
        long w2 = (long) r2 * cols;
        long w3 = (long) r3 * cols;
        int x0 = b * cols;
        int x1 = x0 + cols;
        FloatVector a00 = FloatVector.zero(WIDE);
        FloatVector a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int c = 0; c < bound; c += LANES) {
            FloatVector v0 = weights(data, w0 + c);
            FloatVector v1 = weights(data, w1 + c);
            FloatVector v2 = weights(data, w2 + c);
            FloatVector v3 = weights(data, w3 + c);
            FloatVector xv = inputs(x, x0 + c);
            a00 = v0.fma(xv, a00);
            a10 = v1.fma(xv, a10);
            a20 = v2.fma(xv, a20);
            a30 = v3.fma(xv, a30);
            xv = inputs(x, x1 + c);
            a01 = v0.fma(xv, a01);
            a11 = v1.fma(xv, a11);
            a21 = v2.fma(xv, a21);
            a31 = v3.fma(xv, a31);
        }
        a00.intoArray(parked, 0);
        a01.intoArray(parked, LANES);
        a10.intoArray(parked, 2 * LANES);
        a11.intoArray(parked, 3 * LANES);
        a20.intoArray(parked, 4 * LANES);
        a21.intoArray(parked, 5 * LANES);
        a30.intoArray(parked, 6 * LANES);
        a31.intoArray(parked, 7 * LANES);
    }

    /** Four rows against one input (an input remainder): four independent FMA chains. */
    private static void rows4batch1(MemorySegment data, int cols, int bound, float[] x, float[] parked,
            int r0, int r1, int r2, int r3, int b) {
        long w0 = (long) r0 * cols;
        long w1 = (long) r1 * cols;
        long w2 = (long) r2 * cols;
        long w3 = (long) r3 * cols;
        int x0 = b * cols;
        FloatVector a0 = FloatVector.zero(WIDE);
        FloatVector a1 = a0, a2 = a0, a3 = a0;
        for (int c = 0; c < bound; c += LANES) {
            FloatVector xv = inputs(x, x0 + c);
            a0 = weights(data, w0 + c).fma(xv, a0);
            a1 = weights(data, w1 + c).fma(xv, a1);
            a2 = weights(data, w2 + c).fma(xv, a2);
            a3 = weights(data, w3 + c).fma(xv, a3);
        }
        a0.intoArray(parked, 0);
        a1.intoArray(parked, LANES);
        a2.intoArray(parked, 2 * LANES);
        a3.intoArray(parked, 3 * LANES);
    }
}
