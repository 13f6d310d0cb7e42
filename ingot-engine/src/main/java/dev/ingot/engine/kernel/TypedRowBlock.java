package dev.ingot.engine.kernel;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-threaded matmul over a contiguous block of rows of one float weight type (F32, BF16, F16), for all batch vectors
 * at once. Never used as written: {@link RowBlockMatmul} loads one hidden copy of this class per
 * weight type, with the type as class data, so {@link #DTYPE} is a constant in each copy and C2
 * compiles each copy's loops with only that type's widening. One shared copy would carry the
 * profiles of all three types, and the F16 decode alone is enough to push C2 past its inlining
 * node limit, after which every vector is boxed and the kernel runs several times slower.
 *
 * <p>Float weights at batch 1 go one row at a time; larger batches go by row and input chunks that fit
 * L2 and, within them, in 4x4 register tiles (4x2 and 4x1 for an input remainder), so a weight row comes
 * from DRAM once per call and is re-read only from cache ({@link #floatRows}). Every output element
 * {@code (row, b)} is computed by the same sequence of operations whichever tile it lands in: one
 * vector accumulator fed by FMAs over the full-width column chunks in order, a fixed-order lane
 * reduction, then the scalar tail in order. That is what makes a row's result bit-identical alone or
 * in a batch.
 *
 * <p>GGML block types have their own copies, {@link QuantRowBlock}.
 */
final class TypedRowBlock {

    static final DType DTYPE = weightType();

    /**
     * The float lanes of this copy: 512-bit for F16 and BF16 where {@link Lanes#WIDE_HALVES} (their widening is
     * compute-bound), {@link Lanes#FLOATS} for every other type. Every float tile, batch 1 included, runs on
     * this species, so a row's partial sums are the same alone or in a batch.
     */
    private static final VectorSpecies<Float> FLOATS =
            (DTYPE == DType.F16 || DTYPE == DType.BF16) && Lanes.WIDE_HALVES ? Lanes.FLOATS_512 : Lanes.FLOATS;
    private static final int LANES = FLOATS.length();

    private static final int BATCH_TILE = 4;
    private static final int ROW_TILE = 4;
    private static final int TILE_ACCUMULATORS = ROW_TILE * BATCH_TILE;

    private TypedRowBlock() {}

    private static DType weightType() {
        try {
            return MethodHandles.classData(MethodHandles.lookup(), "_", DType.class);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("TypedRowBlock is only used through RowBlockMatmul's typed copies", e);
        }
    }

    /**
     * Rows {@code [from, to)} of a {@code [rows, cols]} matrix of {@link #DTYPE}, all {@code batch} inputs.
     * The quantized activations are never used here; the parameters match {@link QuantRowBlock#rows} so
     * both kinds of copy are called through one method type.
     */
    static void rows(MemorySegment data, int rows, int cols, float[] x, Q8Activations q8, Q8KActivations q8k, float[] out,
            int batch, int from, int to) {
        floatRows(data, rows, cols, x, out, batch, from, to);
    }

    // ---- floats (F32, BF16, F16) ----

    /**
     * Weight rows (bytes) that stay in the core's L2 while the batch passes over them chunk by chunk, and
     * inputs (bytes) per chunk, re-read from L2 for every 4 rows of the row chunk. Together they fit a
     * 512 KiB L2 with room for the outputs; 64 inputs of 768 floats are one chunk, so a 110M model's
     * decode at 64 sequences walks its matrices as before. Without chunks, the scheduler's prefill of 64
     * prompts (8,192 inputs, 25 MB) came from DRAM again for every 4 weight rows.
     */
    private static final int CHUNK_WEIGHT_BYTES = 256 * 1024;
    private static final int CHUNK_INPUT_BYTES = 192 * 1024;

    /**
     * Rows {@code [from, to)} of a float matrix against all inputs. Batch 1 goes row by row ({@link #row1batch1}).
     * Larger batches go by chunks (rows, then inputs, sized by {@link #CHUNK_WEIGHT_BYTES} and
     * {@link #CHUNK_INPUT_BYTES}), and within a pair of chunks by 4 x 4 register tiles: each weight and input
     * vector loaded feeds four FMAs, and both come from L1 or L2. An input remainder (batch not a multiple
     * of 4) takes 4 x 2 and 4 x 1 tiles. Each output gets the same sequence of operations in every tile.
     * F32 on a CPU with 512-bit vectors goes to {@link WideF32Rows} instead, batch 1 included, since a row's
     * summation order there (sixteen lanes) must be the same alone and in a tile. F16 batches of four or more
     * go to its tiles too, their rows widened once per call ({@link HalfRowDecoder}), and so do BF16 batches of
     * sixteen or more, widened in place ({@link Bf16RowTiles}); the tiles below then serve the smaller batches, or
     * every batch with {@code -Dingot.halves.decode=false} ({@code -Dingot.bf16.wideTiles=false}: every BF16
     * batch).
     */
    private static void floatRows(MemorySegment data, int rows, int cols, float[] x, float[] out, int batch, int from, int to) {
        if (DTYPE == DType.F32 && WideF32Rows.ENABLED) {
            WideF32Rows.rows(data, rows, cols, x, out, batch, from, to);
            return;
        }
        if (DTYPE == DType.F16 && HalfRowDecoder.ENABLED && batch >= WideF32Rows.PACKED_BATCH
                || DTYPE == DType.BF16 && HalfRowDecoder.bf16InWideTiles(batch)) {
            WideF32Rows.packedRows(DTYPE, data, rows, cols, x, out, batch, from, to);
            return;
        }
        int bound = cols - cols % LANES;
        if (batch == 1) {
            for (int r = from; r < to; r++) {
                row1batch1(data, cols, bound, rows, x, out, r, 0);
            }
            return;
        }
        float[] acc = new float[TILE_ACCUMULATORS * LANES];
        int last = to - 1;
        int rowChunk = chunk(CHUNK_WEIGHT_BYTES / Math.max(1, DTYPE.bytesFor(cols)), to - from, ROW_TILE);
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
                        rows4batch4(data, cols, bound, rows, x, out, acc, r, r1, r2, r3, b);
                    }
                    if (b + 2 <= batchEnd) {
                        rows4batch2(data, cols, bound, rows, x, out, acc, r, r1, r2, r3, b);
                        b += 2;
                    }
                    if (b < batchEnd) {
                        rows4batch1(data, cols, bound, rows, x, out, acc, r, r1, r2, r3, b);
                    }
                }
            }
        }
    }

    /**
     * Chunk size for {@code total} items when at most {@code fits} fit: equal chunks, each a multiple of
     * {@code tile} (a last chunk of a few rows would re-read all inputs for little work).
     */
    private static int chunk(long fits, int total, int tile) {
        long chunks = Math.ceilDiv(total, Math.max(tile, fits));
        long size = Math.ceilDiv(total, chunks);
        return (int) Math.ceilDiv(size, tile) * tile;
    }

    /** {@link #LANES} weights from element {@code index}, widened to F32 in registers; folds to one branch per copy. */
    private static FloatVector load(MemorySegment data, long index) {
        boolean wide = FLOATS != Lanes.FLOATS;
        return switch (DTYPE) {
            case F32 -> Lanes.f32(data, index);
            case BF16 -> wide ? Lanes.bf16Wide(data, index) : Lanes.bf16(data, index);
            default -> wide ? Lanes.f16Wide(data, index) : Lanes.f16(data, index);
        };
    }

    /** The lanes of an accumulator of {@link #FLOATS} summed by the fixed tree of {@link Lanes#sumLanes}. */
    private static float sumLanes(FloatVector v) {
        return FLOATS == Lanes.FLOATS ? Lanes.sumLanes(v) : Lanes.sumWideLanes(v);
    }

    /**
     * Reduces a tile's accumulators, parked in {@code acc} (accumulator {@code i * tileBatch + j} for
     * row {@code i} of the tile and input {@code b + j}), adds the columns past the last full vector in
     * order, and stores the results. Parking them costs a few stores but keeps this loop out of the
     * tile: inlining sixteen reductions there would exceed C2's node budget and box every vector.
     */
    private static void finishTile(MemorySegment data, int cols, int bound, int rows, float[] x, float[] out,
            float[] acc, int tileRows, int r0, int r1, int r2, int r3, int tileBatch, int b) {
        for (int i = 0; i < tileRows; i++) {
            int r = i == 0 ? r0 : i == 1 ? r1 : i == 2 ? r2 : r3;
            long rowStart = (long) r * cols;
            for (int j = 0; j < tileBatch; j++) {
                int xStart = (b + j) * cols;
                float sum = sumLanes(FloatVector.fromArray(FLOATS, acc, (i * tileBatch + j) * LANES));
                for (int c = bound; c < cols; c++) {
                    sum = Math.fma(ScalarKernels.weight(data, DTYPE, rowStart + c), x[xStart + c], sum);
                }
                out[(b + j) * rows + r] = sum;
            }
        }
    }

    /**
     * One row against one input (all of batch 1): the row streams from memory front to back, the one
     * access pattern every hardware prefetcher follows from its first lines. Reading four rows side by
     * side instead measured 25-40% less DRAM bandwidth on one thread (F32 768x768 to 768x2048).
     */
    private static void row1batch1(MemorySegment data, int cols, int bound, int rows, float[] x, float[] out, int r, int b) {
        long w = (long) r * cols;
        int x0 = b * cols;
        FloatVector a = FloatVector.zero(FLOATS);
        for (int c = 0; c < bound; c += LANES) {
            a = load(data, w + c).fma(FloatVector.fromArray(FLOATS, x, x0 + c), a);
        }
        float sum = sumLanes(a);
        for (int c = bound; c < cols; c++) {
            sum = Math.fma(ScalarKernels.weight(data, DTYPE, w + c), x[x0 + c], sum);
        }
        out[b * rows + r] = sum;
    }

    /** Four rows against four inputs: 16 accumulators, so each weight and input load feeds four FMAs. */
    private static void rows4batch4(MemorySegment data, int cols, int bound, int rows,
            float[] x, float[] out, float[] acc, int r0, int r1, int r2, int r3, int b) {
        long w0 = (long) r0 * cols;
        long w1 = (long) r1 * cols;
        long w2 = (long) r2 * cols;
        long w3 = (long) r3 * cols;
        int x0 = b * cols;
        int x1 = x0 + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a00 = FloatVector.zero(FLOATS);
        FloatVector a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int c = 0; c < bound; c += LANES) {
            FloatVector v0 = load(data, w0 + c);
            FloatVector v1 = load(data, w1 + c);
            FloatVector v2 = load(data, w2 + c);
            FloatVector v3 = load(data, w3 + c);
            FloatVector xv = FloatVector.fromArray(FLOATS, x, x0 + c);
            a00 = v0.fma(xv, a00);
            a10 = v1.fma(xv, a10);
            a20 = v2.fma(xv, a20);
            a30 = v3.fma(xv, a30);
            xv = FloatVector.fromArray(FLOATS, x, x1 + c);
            a01 = v0.fma(xv, a01);
            a11 = v1.fma(xv, a11);
            a21 = v2.fma(xv, a21);
            a31 = v3.fma(xv, a31);
            xv = FloatVector.fromArray(FLOATS, x, x2 + c);
            a02 = v0.fma(xv, a02);
            a12 = v1.fma(xv, a12);
            a22 = v2.fma(xv, a22);
            a32 = v3.fma(xv, a32);
            xv = FloatVector.fromArray(FLOATS, x, x3 + c);
            a03 = v0.fma(xv, a03);
            a13 = v1.fma(xv, a13);
            a23 = v2.fma(xv, a23);
            a33 = v3.fma(xv, a33);
        }
        a00.intoArray(acc, 0);
        a01.intoArray(acc, LANES);
        a02.intoArray(acc, 2 * LANES);
        a03.intoArray(acc, 3 * LANES);
        a10.intoArray(acc, 4 * LANES);
        a11.intoArray(acc, 5 * LANES);
        a12.intoArray(acc, 6 * LANES);
        a13.intoArray(acc, 7 * LANES);
        a20.intoArray(acc, 8 * LANES);
        a21.intoArray(acc, 9 * LANES);
        a22.intoArray(acc, 10 * LANES);
        a23.intoArray(acc, 11 * LANES);
        a30.intoArray(acc, 12 * LANES);
        a31.intoArray(acc, 13 * LANES);
        a32.intoArray(acc, 14 * LANES);
        a33.intoArray(acc, 15 * LANES);
        finishTile(data, cols, bound, rows, x, out, acc, ROW_TILE, r0, r1, r2, r3, BATCH_TILE, b);
    }

    /** Four rows against two inputs (an input remainder): per output the same sequence as {@link #rows4batch4}. */
    private static void rows4batch2(MemorySegment data, int cols, int bound, int rows,
            float[] x, float[] out, float[] acc, int r0, int r1, int r2, int r3, int b) {
        long w0 = (long) r0 * cols;
        long w1 = (long) r1 * cols;
        long w2 = (long) r2 * cols;
        long w3 = (long) r3 * cols;
        int x0 = b * cols;
        int x1 = x0 + cols;
        FloatVector a00 = FloatVector.zero(FLOATS);
        FloatVector a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int c = 0; c < bound; c += LANES) {
            FloatVector v0 = load(data, w0 + c);
            FloatVector v1 = load(data, w1 + c);
            FloatVector v2 = load(data, w2 + c);
            FloatVector v3 = load(data, w3 + c);
            FloatVector xv = FloatVector.fromArray(FLOATS, x, x0 + c);
            a00 = v0.fma(xv, a00);
            a10 = v1.fma(xv, a10);
            a20 = v2.fma(xv, a20);
            a30 = v3.fma(xv, a30);
            xv = FloatVector.fromArray(FLOATS, x, x1 + c);
            a01 = v0.fma(xv, a01);
            a11 = v1.fma(xv, a11);
            a21 = v2.fma(xv, a21);
            a31 = v3.fma(xv, a31);
        }
        a00.intoArray(acc, 0);
        a01.intoArray(acc, LANES);
        a10.intoArray(acc, 2 * LANES);
        a11.intoArray(acc, 3 * LANES);
        a20.intoArray(acc, 4 * LANES);
        a21.intoArray(acc, 5 * LANES);
        a30.intoArray(acc, 6 * LANES);
        a31.intoArray(acc, 7 * LANES);
        finishTile(data, cols, bound, rows, x, out, acc, ROW_TILE, r0, r1, r2, r3, 2, b);
    }

    /** Four rows against one input (an input remainder): four independent FMA chains instead of one. */
    private static void rows4batch1(MemorySegment data, int cols, int bound, int rows,
            float[] x, float[] out, float[] acc, int r0, int r1, int r2, int r3, int b) {
        long w0 = (long) r0 * cols;
        long w1 = (long) r1 * cols;
        long w2 = (long) r2 * cols;
        long w3 = (long) r3 * cols;
        int x0 = b * cols;
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector a1 = a0, a2 = a0, a3 = a0;
        for (int c = 0; c < bound; c += LANES) {
            FloatVector xv = FloatVector.fromArray(FLOATS, x, x0 + c);
            a0 = load(data, w0 + c).fma(xv, a0);
            a1 = load(data, w1 + c).fma(xv, a1);
            a2 = load(data, w2 + c).fma(xv, a2);
            a3 = load(data, w3 + c).fma(xv, a3);
        }
        a0.intoArray(acc, 0);
        a1.intoArray(acc, LANES);
        a2.intoArray(acc, 2 * LANES);
        a3.intoArray(acc, 3 * LANES);
        finishTile(data, cols, bound, rows, x, out, acc, ROW_TILE, r0, r1, r2, r3, 1, b);
    }
}
