package dev.ingot.engine.kernel;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.Arena;
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

    /**
     * Batches from this size on go through packed tiles. Below it the call is bound by reading the weights:
     * each row streams once from memory and is re-read from L1 for the other inputs, where packing would add
     * a write and a re-read of every weight (batch 2 ran at 0.64x-0.86x of the unpacked 256-bit tiles).
     */
    static final int PACKED_BATCH = 4;
    private static final int ROW_TILE = 4;
    private static final int BATCH_TILE = 6;
    /** Accumulators of the largest tile finished at once (two 4 x 6), rounded up to whole groups of sixteen. */
    private static final int PARKED = Math.ceilDiv(ROW_TILE * 2 * BATCH_TILE, LANES) * LANES * LANES;

    /** As in {@link TypedRowBlock}: a row chunk and an input chunk fit the core's L2 together. */
    private static final int CHUNK_WEIGHT_BYTES = 256 * 1024;
    private static final int CHUNK_INPUT_BYTES = 192 * 1024;

    /**
     * Whether all of a call's inputs are copied into the aligned scratch once ({@code -Dingot.tiles.holdInputs=false}
     * turns it off) when they take at most {@link #HELD_INPUT_BYTES}. Copied chunk by chunk instead, inputs that
     * span several chunks were copied again for every row chunk: 64 inputs of 2,048 columns, 24 times per call
     * for a 768-row matrix. The copy stays with the thread, as the packed rows do: at most 8 MiB per kernel thread.
     */
    private static final boolean HOLD_ALL_INPUTS = !"false".equals(System.getProperty("ingot.tiles.holdInputs"));
    private static final long HELD_INPUT_BYTES = 8L << 20;

    private WideF32Rows() {}

    /** Rows {@code [from, to)} of a {@code [rows, cols]} F32 matrix against {@code batch} inputs. */
    static void rows(MemorySegment data, int rows, int cols, float[] x, float[] out, int batch, int from, int to) {
        int bound = cols - cols % LANES;
        if (batch < PACKED_BATCH) {
            for (int r = from; r < to; r++) {
                for (int b = 0; b < batch; b++) {
                    row1(data, cols, bound, rows, x, out, r, b);
                }
            }
            return;
        }
        packedRows(DType.F32, data, rows, cols, x, out, batch, from, to);
    }

    /**
     * Rows {@code [from, to)} of a {@code [rows, cols]} matrix of {@code type} against {@code batch} inputs in
     * packed tiles: F32 rows are copied into the packed layout, F16 rows widened into it ({@link HalfRowDecoder},
     * once per row chunk however many inputs there are); BF16 rows are widened in their own tiles, where they lie
     * ({@link Bf16RowTiles}). Every tile's order (see the class comment) is the batch-1 order of half-float rows on
     * 512-bit lanes ({@code TypedRowBlock}), so an F16 or BF16 row gives the same bits here as alone.
     */
    static void packedRows(DType type, MemorySegment data, int rows, int cols, float[] x, float[] out, int batch, int from,
            int to) {
        int bound = cols - cols % LANES;
        Scratch scratch = SCRATCH.get();
        float[] parked = scratch.parked;
        float[] sums = scratch.sums;
        int last = to - 1;
        int rowChunk = chunk(CHUNK_WEIGHT_BYTES / Math.max(1L, (long) cols * Float.BYTES), to - from, ROW_TILE);
        int batchChunk = chunk(CHUNK_INPUT_BYTES / ((long) cols * Float.BYTES), batch, BATCH_TILE);
        // BF16 rows are widened in the tiles (Bf16RowTiles), read where they lie: nothing to pack.
        boolean inPlace = type == DType.BF16;
        long tileBytes = (long) ROW_TILE * bound * Float.BYTES;
        // One cache line more than an input's chunks, a precaution (not measured on its own): at 2,048 columns
        // the six inputs of a tile would otherwise start 8 KiB apart, in the same L1 sets.
        long inputBytes = (long) bound * Float.BYTES + 64;
        MemorySegment packed = inPlace ? MemorySegment.NULL : scratch.weights(tileBytes * (rowChunk / ROW_TILE));
        boolean holdAll = HOLD_ALL_INPUTS && batch * inputBytes <= HELD_INPUT_BYTES;
        MemorySegment inputs = scratch.inputs(inputBytes * (holdAll ? batch : Math.min(batch, batchChunk)));
        if (holdAll) {
            copyInputs(x, cols, bound, 0, batch, inputs);
        }
        int inputsHeld = holdAll ? 0 : -1;
        for (int rowStart = from; rowStart < to; rowStart += rowChunk) {
            int rowEnd = Math.min(to, rowStart + rowChunk);
            switch (type) {
                case F32 -> packRows(data, cols, bound, rowStart, rowEnd, last, packed);
                case F16 -> HalfRowDecoder.packF16(data, cols, bound, rowStart, rowEnd, last, packed);
                case BF16 -> { }
                default -> throw new IllegalArgumentException("the wide tiles take F32, F16 or BF16 rows, not " + type);
            }
            for (int batchStart = 0; batchStart < batch; batchStart += batchChunk) {
                int batchEnd = Math.min(batch, batchStart + batchChunk);
                if (!holdAll && inputsHeld != batchStart) {
                    copyInputs(x, cols, bound, batchStart, batchEnd, inputs);
                    inputsHeld = batchStart;
                }
                // The offset of input batchStart in the held copy: all inputs held, or only this chunk's.
                long chunkInputs = holdAll ? batchStart * inputBytes : 0;
                long tile = 0;
                for (int r = rowStart; r < rowEnd; r += ROW_TILE, tile += tileBytes) {
                    if (inPlace) {
                        rowTileInPlace(data, cols, bound, rows, x, out, last, r, inputs, chunkInputs, inputBytes, batchStart,
                                batchEnd, parked, sums);
                        continue;
                    }
                    rowTile(type, data, cols, bound, rows, x, out, last, r, packed, tile, inputs, chunkInputs, inputBytes,
                            batchStart, batchEnd, parked, sums);
                }
            }
        }
    }

    /**
     * Rows {@code r..r+3} (those past {@code last} repeat it: computed the same way, stored again) against
     * inputs {@code [batchStart, batchEnd)}: 4 x 6 tiles (finished two by two), then 4 x 4, 4 x 2, 4 x 1 for the
     * remainder.
     */
    private static void rowTile(DType type, MemorySegment data, int cols, int bound, int rows, float[] x, float[] out, int last, int r,
            MemorySegment packed, long tile, MemorySegment inputs, long chunkInputs, long inputBytes, int batchStart,
            int batchEnd, float[] parked, float[] sums) {
        int r1 = Math.min(r + 1, last);
        int r2 = Math.min(r + 2, last);
        int r3 = Math.min(r + 3, last);
        for (int b = batchStart; b < batchEnd; ) {
            int left = batchEnd - b;
            int width = left >= BATCH_TILE ? BATCH_TILE : left >= 4 ? 4 : left >= 2 ? 2 : 1;
            long x0 = chunkInputs + (b - batchStart) * inputBytes;
            if (left >= 2 * BATCH_TILE) {
                // Two 4 x 6 tiles parked side by side, one 4 x 12 to finish: three groups of sixteen sums, not four.
                rows4batch6(packed, tile, inputs, x0, inputBytes, bound, parked, 0);
                rows4batch6(packed, tile, inputs, x0 + BATCH_TILE * inputBytes, inputBytes, bound, parked,
                        BATCH_TILE * ROW_TILE * LANES);
                width = 2 * BATCH_TILE;
            } else if (width == BATCH_TILE) {
                rows4batch6(packed, tile, inputs, x0, inputBytes, bound, parked, 0);
            } else if (width == 4) {
                rows4batch4(packed, tile, inputs, x0, inputBytes, bound, parked);
            } else if (width == 2) {
                rows4batch2(packed, tile, inputs, x0, inputBytes, bound, parked);
            } else {
                rows4batch1(packed, tile, inputs, x0, bound, parked);
            }
            finish(type, data, cols, bound, rows, x, out, parked, sums, r, r1, r2, r3, width, b);
            b += width;
        }
    }

    /**
     * {@link #rowTile} for BF16 rows read in place ({@link Bf16RowTiles}): 4 x 4 tiles, two by two (one 4 x 8 to
     * finish: two whole groups of sixteen sums), then one 4 x 4 for the remainder (under four inputs, the tile
     * repeats its last input in its unused columns).
     */
    private static void rowTileInPlace(MemorySegment data, int cols, int bound, int rows, float[] x, float[] out, int last,
            int r, MemorySegment inputs, long chunkInputs, long inputBytes, int batchStart, int batchEnd, float[] parked,
            float[] sums) {
        int r1 = Math.min(r + 1, last);
        int r2 = Math.min(r + 2, last);
        int r3 = Math.min(r + 3, last);
        long w0 = (long) r * cols;
        long w1 = (long) r1 * cols;
        long w2 = (long) r2 * cols;
        long w3 = (long) r3 * cols;
        for (int b = batchStart; b < batchEnd; ) {
            int left = batchEnd - b;
            long x0 = chunkInputs + (b - batchStart) * inputBytes;
            int width;
            if (left >= 8) {
                long x4 = x0 + 4 * inputBytes;
                Bf16RowTiles.rows4batch4(data, w0, w1, w2, w3, inputs, x0, x0 + inputBytes, x0 + 2 * inputBytes,
                        x0 + 3 * inputBytes, bound, parked, 0);
                Bf16RowTiles.rows4batch4(data, w0, w1, w2, w3, inputs, x4, x4 + inputBytes, x4 + 2 * inputBytes,
                        x4 + 3 * inputBytes, bound, parked, 4 * ROW_TILE * LANES);
                width = 8;
            } else {
                width = Math.min(left, 4);
                long x1 = x0 + Math.min(1, width - 1) * inputBytes;
                long x2 = x0 + Math.min(2, width - 1) * inputBytes;
                long x3 = x0 + Math.min(3, width - 1) * inputBytes;
                Bf16RowTiles.rows4batch4(data, w0, w1, w2, w3, inputs, x0, x1, x2, x3, bound, parked, 0);
            }
            finish(DType.BF16, data, cols, bound, rows, x, out, parked, sums, r, r1, r2, r3, width, b);
            b += width;
        }
    }

    /** Chunk size for {@code total} items when {@code fits} fit: equal chunks, each a multiple of {@code tile}. */
    private static int chunk(long fits, int total, int tile) {
        long chunks = Math.ceilDiv(total, Math.max(tile, fits));
        long size = Math.ceilDiv(total, chunks);
        return (int) Math.ceilDiv(size, tile) * tile;
    }

    /**
     * Copies rows {@code [from, to)} into {@code packed}, tile by tile (rows past {@code last} repeat it), each
     * tile's four rows interleaved by 16-column chunks: one tile step then reads 256 contiguous bytes, four
     * whole cache lines. Read in place, the rows of a mapped file sit 8 bytes past a line, and every 512-bit
     * load straddled two lines (a third less speed at 2,048 columns).
     */
    private static void packRows(MemorySegment data, int cols, int bound, int from, int to, int last, MemorySegment packed) {
        long at = 0;
        for (int r = from; r < to; r += ROW_TILE) {
            long w0 = (long) r * cols;
            long w1 = (long) Math.min(r + 1, last) * cols;
            long w2 = (long) Math.min(r + 2, last) * cols;
            long w3 = (long) Math.min(r + 3, last) * cols;
            for (int c = 0; c < bound; c += LANES, at += ROW_TILE * LANES * Float.BYTES) {
                weights(data, w0 + c).intoMemorySegment(packed, at, LE);
                weights(data, w1 + c).intoMemorySegment(packed, at + 64, LE);
                weights(data, w2 + c).intoMemorySegment(packed, at + 128, LE);
                weights(data, w3 + c).intoMemorySegment(packed, at + 192, LE);
            }
        }
    }

    /** Copies the whole 16-column chunks of inputs {@code [from, to)} into {@code inputs}, each at a cache-line boundary. */
    private static void copyInputs(float[] x, int cols, int bound, int from, int to, MemorySegment inputs) {
        long at = 0;
        for (int b = from; b < to; b++) {
            int start = b * cols;
            for (int c = 0; c < bound; c += LANES, at += LANES * Float.BYTES) {
                FloatVector.fromArray(WIDE, x, start + c).intoMemorySegment(inputs, at, LE);
            }
            at += 64;
        }
    }

    private static FloatVector weights(MemorySegment data, long index) {
        return FloatVector.fromMemorySegment(WIDE, data, index * Float.BYTES, LE);
    }

    private static FloatVector lanes(float[] a, int at) {
        return FloatVector.fromArray(WIDE, a, at);
    }

    private static FloatVector at(MemorySegment segment, long offset) {
        return FloatVector.fromMemorySegment(WIDE, segment, offset, LE);
    }

    /** Per thread: the packed rows, the aligned inputs and the parked accumulators, kept from call to call. */
    private static final class Scratch {
        final float[] parked = new float[PARKED];
        final float[] sums = new float[LANES];
        private MemorySegment weights = MemorySegment.NULL;
        private MemorySegment inputs = MemorySegment.NULL;

        MemorySegment weights(long bytes) {
            if (weights.byteSize() < bytes) {
                weights = Arena.ofAuto().allocate(bytes, 64);
            }
            return weights;
        }

        MemorySegment inputs(long bytes) {
            if (inputs.byteSize() < bytes) {
                inputs = Arena.ofAuto().allocate(bytes, 64);
            }
            return inputs;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Row {@code r} against input {@code b}: the sixteen lanes as two 256-bit halves. The row streams front to
     * back at the read rate of 256-bit loads (512-bit loads from a mapped file, 8 bytes past a cache line,
     * straddle two lines each).
     */
    private static void row1(MemorySegment data, int cols, int bound, int rows, float[] x, float[] out, int r, int b) {
        long w = (long) r * cols;
        int x0 = b * cols;
        FloatVector low = FloatVector.zero(HALF);
        FloatVector high = low;
        for (int c = 0; c < bound; c += LANES) {
            low = FloatVector.fromMemorySegment(HALF, data, (w + c) * Float.BYTES, LE)
                    .fma(FloatVector.fromArray(HALF, x, x0 + c), low);
            high = FloatVector.fromMemorySegment(HALF, data, (w + c + HALF_LANES) * Float.BYTES, LE)
                    .fma(FloatVector.fromArray(HALF, x, x0 + c + HALF_LANES), high);
        }
        float sum = Lanes.sumLanes(low.add(high));
        for (int c = bound; c < cols; c++) {
            sum = Math.fma(data.getAtIndex(F32, w + c), x[x0 + c], sum);
        }
        out[b * rows + r] = sum;
    }

    /**
     * Sums the parked accumulators (accumulator {@code 4 * j + i} for row {@code i} of the tile and input
     * {@code b + j}: input by input, so that an input's four sums land side by side, as in its output row)
     * sixteen at a time, adds the columns past the last whole chunk in order, and stores the results. Each sum
     * follows {@link Lanes#sumWideLanes(float[], int)}'s tree (lane i + lane i + 8, then + 4, + 2, + 1), so the same bits, but level by level on sixteen accumulators at once: 30
     * two-vector permutes and 15 adds instead of 240 scalar adds (which took about as long as a 4 x 6 tile
     * of 768 columns). Accumulators past a tile's own are left from an earlier tile; their sums go unused.
     *
     * <p>One method on purpose, larger than C2 inlines (325 bytecodes) and with no vector crossing its
     * boundary: compiled alone, every vector operation in it is intrinsified. Inlined into the tile loop
     * with the tiles, it pushed that compilation past C2's inlining budget, which left the lane sums as
     * calls returning boxed vectors (38 MB allocated per 768x768 call at batch 200, a third of the speed).
     */
    private static void finish(DType type, MemorySegment data, int cols, int bound, int rows, float[] x, float[] out,
            float[] parked, float[] sums, int r0, int r1, int r2, int r3, int tileBatch, int b) {
        int count = ROW_TILE * tileBatch;
        // No columns past the last chunk and four distinct rows: each input's four sums are stored as they come.
        boolean contiguous = bound == cols && r3 == r0 + ROW_TILE - 1;
        for (int group = 0; group < count; group += LANES) {
            int at = group * LANES;
            FloatVector l0 = level(lanes(parked, at), lanes(parked, at + LANES), LOW_8, HIGH_8);
            FloatVector l1 = level(lanes(parked, at + 2 * LANES), lanes(parked, at + 3 * LANES), LOW_8, HIGH_8);
            FloatVector l2 = level(lanes(parked, at + 4 * LANES), lanes(parked, at + 5 * LANES), LOW_8, HIGH_8);
            FloatVector l3 = level(lanes(parked, at + 6 * LANES), lanes(parked, at + 7 * LANES), LOW_8, HIGH_8);
            FloatVector l4 = level(lanes(parked, at + 8 * LANES), lanes(parked, at + 9 * LANES), LOW_8, HIGH_8);
            FloatVector l5 = level(lanes(parked, at + 10 * LANES), lanes(parked, at + 11 * LANES), LOW_8, HIGH_8);
            FloatVector l6 = level(lanes(parked, at + 12 * LANES), lanes(parked, at + 13 * LANES), LOW_8, HIGH_8);
            FloatVector l7 = level(lanes(parked, at + 14 * LANES), lanes(parked, at + 15 * LANES), LOW_8, HIGH_8);
            FloatVector m0 = level(l0, l1, LOW_4, HIGH_4);
            FloatVector m1 = level(l2, l3, LOW_4, HIGH_4);
            FloatVector m2 = level(l4, l5, LOW_4, HIGH_4);
            FloatVector m3 = level(l6, l7, LOW_4, HIGH_4);
            level(level(m0, m1, LOW_2, HIGH_2), level(m2, m3, LOW_2, HIGH_2), LOW_1, HIGH_1).intoArray(sums, 0);
            int firstInput = b + group / ROW_TILE;
            int held = Math.min(LANES, count - group);
            if (contiguous) {
                // Sums 4j..4j+3 are rows r0..r0+3 of one input, consecutive in its output row.
                for (int k = 0; k < held; k += ROW_TILE) {
                    System.arraycopy(sums, k, out, (firstInput + k / ROW_TILE) * rows + r0, ROW_TILE);
                }
                continue;
            }
            for (int k = 0; k < held; k++) {
                int i = k % ROW_TILE;
                int input = firstInput + k / ROW_TILE;
                int r = i == 0 ? r0 : i == 1 ? r1 : i == 2 ? r2 : r3;
                float sum = sums[k];
                if (bound < cols) {
                    long rowStart = (long) r * cols;
                    int xStart = input * cols;
                    for (int c = bound; c < cols; c++) {
                        sum = Math.fma(ScalarKernels.weight(data, type, rowStart + c), x[xStart + c], sum);
                    }
                }
                out[input * rows + r] = sum;
            }
        }
    }

    /*
     * Lane indices into two vectors (0-15 the first, 16-31 the second) for one level of the lane-sum tree,
     * applied to sixteen accumulators at once: each input vector holds segments of 2h lanes, one per
     * accumulator, and the result holds segments of h lanes, the first vector's accumulators then the
     * second's, lane t of a segment being lane t plus lane t + h of the segment it came from.
     */
    private static final FloatVector LOW_8 = treeLevel(8, 0);
    private static final FloatVector HIGH_8 = treeLevel(8, 8);
    private static final FloatVector LOW_4 = treeLevel(4, 0);
    private static final FloatVector HIGH_4 = treeLevel(4, 4);
    private static final FloatVector LOW_2 = treeLevel(2, 0);
    private static final FloatVector HIGH_2 = treeLevel(2, 2);
    private static final FloatVector LOW_1 = treeLevel(1, 0);
    private static final FloatVector HIGH_1 = treeLevel(1, 1);

    private static FloatVector treeLevel(int h, int offset) {
        float[] index = new float[LANES];
        int segments = HALF_LANES / h;
        for (int k = 0; k < LANES; k++) {
            int segment = k / h;
            index[k] = (segment < segments ? 0 : LANES) + (segment % segments) * 2 * h + offset + k % h;
        }
        return FloatVector.fromArray(WIDE, index, 0);
    }

    private static FloatVector level(FloatVector p, FloatVector q, FloatVector low, FloatVector high) {
        return low.selectFrom(p, q).add(high.selectFrom(p, q));
    }

    /**
     * Four rows against six inputs: 24 accumulators, four weight vectors and one input vector in 29 of the
     * 32 registers; per 16 columns 10 loads feed 24 FMAs. {@code tile}: the byte offset of the packed rows
     * ({@link #packRows}); {@code x0}: of the first input in {@code inputs}, the others {@code stride} apart;
     * {@code slot0}: where in {@code parked} the tile's accumulators go.
     */
    private static void rows4batch6(MemorySegment packed, long tile, MemorySegment inputs, long x0, long stride, int bound,
            float[] parked, int slot0) {
        long x1 = x0 + stride;
        long x2 = x1 + stride;
        long x3 = x2 + stride;
        long x4 = x3 + stride;
        long x5 = x4 + stride;
        FloatVector a00 = FloatVector.zero(WIDE);
        FloatVector a01 = a00, a02 = a00, a03 = a00, a04 = a00, a05 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00, a14 = a00, a15 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00, a24 = a00, a25 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00, a34 = a00, a35 = a00;
        for (int c = 0; c < bound; c += LANES) {
            long w = tile + 16L * c;
            long xc = 4L * c;
            FloatVector v0 = at(packed, w);
            FloatVector v1 = at(packed, w + 64);
            FloatVector v2 = at(packed, w + 128);
            FloatVector v3 = at(packed, w + 192);
            FloatVector xv = at(inputs, x0 + xc);
            a00 = v0.fma(xv, a00);
            a10 = v1.fma(xv, a10);
            a20 = v2.fma(xv, a20);
            a30 = v3.fma(xv, a30);
            xv = at(inputs, x1 + xc);
            a01 = v0.fma(xv, a01);
            a11 = v1.fma(xv, a11);
            a21 = v2.fma(xv, a21);
            a31 = v3.fma(xv, a31);
            xv = at(inputs, x2 + xc);
            a02 = v0.fma(xv, a02);
            a12 = v1.fma(xv, a12);
            a22 = v2.fma(xv, a22);
            a32 = v3.fma(xv, a32);
            xv = at(inputs, x3 + xc);
            a03 = v0.fma(xv, a03);
            a13 = v1.fma(xv, a13);
            a23 = v2.fma(xv, a23);
            a33 = v3.fma(xv, a33);
            xv = at(inputs, x4 + xc);
            a04 = v0.fma(xv, a04);
            a14 = v1.fma(xv, a14);
            a24 = v2.fma(xv, a24);
            a34 = v3.fma(xv, a34);
            xv = at(inputs, x5 + xc);
            a05 = v0.fma(xv, a05);
            a15 = v1.fma(xv, a15);
            a25 = v2.fma(xv, a25);
            a35 = v3.fma(xv, a35);
        }
        a00.intoArray(parked, slot0);
        a01.intoArray(parked, slot0 + 4 * LANES);
        a02.intoArray(parked, slot0 + 8 * LANES);
        a03.intoArray(parked, slot0 + 12 * LANES);
        a04.intoArray(parked, slot0 + 16 * LANES);
        a05.intoArray(parked, slot0 + 20 * LANES);
        a10.intoArray(parked, slot0 + LANES);
        a11.intoArray(parked, slot0 + 5 * LANES);
        a12.intoArray(parked, slot0 + 9 * LANES);
        a13.intoArray(parked, slot0 + 13 * LANES);
        a14.intoArray(parked, slot0 + 17 * LANES);
        a15.intoArray(parked, slot0 + 21 * LANES);
        a20.intoArray(parked, slot0 + 2 * LANES);
        a21.intoArray(parked, slot0 + 6 * LANES);
        a22.intoArray(parked, slot0 + 10 * LANES);
        a23.intoArray(parked, slot0 + 14 * LANES);
        a24.intoArray(parked, slot0 + 18 * LANES);
        a25.intoArray(parked, slot0 + 22 * LANES);
        a30.intoArray(parked, slot0 + 3 * LANES);
        a31.intoArray(parked, slot0 + 7 * LANES);
        a32.intoArray(parked, slot0 + 11 * LANES);
        a33.intoArray(parked, slot0 + 15 * LANES);
        a34.intoArray(parked, slot0 + 19 * LANES);
        a35.intoArray(parked, slot0 + 23 * LANES);
    }

    /** Four rows against four inputs (an input remainder): per output the same sequence as {@link #rows4batch6}. */
    private static void rows4batch4(MemorySegment packed, long tile, MemorySegment inputs, long x0, long stride, int bound,
            float[] parked) {
        long x1 = x0 + stride;
        long x2 = x1 + stride;
        long x3 = x2 + stride;
        FloatVector a00 = FloatVector.zero(WIDE);
        FloatVector a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int c = 0; c < bound; c += LANES) {
            long w = tile + 16L * c;
            long xc = 4L * c;
            FloatVector v0 = at(packed, w);
            FloatVector v1 = at(packed, w + 64);
            FloatVector v2 = at(packed, w + 128);
            FloatVector v3 = at(packed, w + 192);
            FloatVector xv = at(inputs, x0 + xc);
            a00 = v0.fma(xv, a00);
            a10 = v1.fma(xv, a10);
            a20 = v2.fma(xv, a20);
            a30 = v3.fma(xv, a30);
            xv = at(inputs, x1 + xc);
            a01 = v0.fma(xv, a01);
            a11 = v1.fma(xv, a11);
            a21 = v2.fma(xv, a21);
            a31 = v3.fma(xv, a31);
            xv = at(inputs, x2 + xc);
            a02 = v0.fma(xv, a02);
            a12 = v1.fma(xv, a12);
            a22 = v2.fma(xv, a22);
            a32 = v3.fma(xv, a32);
            xv = at(inputs, x3 + xc);
            a03 = v0.fma(xv, a03);
            a13 = v1.fma(xv, a13);
            a23 = v2.fma(xv, a23);
            a33 = v3.fma(xv, a33);
        }
        a00.intoArray(parked, 0);
        a01.intoArray(parked, 4 * LANES);
        a02.intoArray(parked, 8 * LANES);
        a03.intoArray(parked, 12 * LANES);
        a10.intoArray(parked, LANES);
        a11.intoArray(parked, 5 * LANES);
        a12.intoArray(parked, 9 * LANES);
        a13.intoArray(parked, 13 * LANES);
        a20.intoArray(parked, 2 * LANES);
        a21.intoArray(parked, 6 * LANES);
        a22.intoArray(parked, 10 * LANES);
        a23.intoArray(parked, 14 * LANES);
        a30.intoArray(parked, 3 * LANES);
        a31.intoArray(parked, 7 * LANES);
        a32.intoArray(parked, 11 * LANES);
        a33.intoArray(parked, 15 * LANES);
    }

    /** Four rows against two inputs (an input remainder). */
    private static void rows4batch2(MemorySegment packed, long tile, MemorySegment inputs, long x0, long stride, int bound,
            float[] parked) {
        long x1 = x0 + stride;
        FloatVector a00 = FloatVector.zero(WIDE);
        FloatVector a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int c = 0; c < bound; c += LANES) {
            long w = tile + 16L * c;
            long xc = 4L * c;
            FloatVector v0 = at(packed, w);
            FloatVector v1 = at(packed, w + 64);
            FloatVector v2 = at(packed, w + 128);
            FloatVector v3 = at(packed, w + 192);
            FloatVector xv = at(inputs, x0 + xc);
            a00 = v0.fma(xv, a00);
            a10 = v1.fma(xv, a10);
            a20 = v2.fma(xv, a20);
            a30 = v3.fma(xv, a30);
            xv = at(inputs, x1 + xc);
            a01 = v0.fma(xv, a01);
            a11 = v1.fma(xv, a11);
            a21 = v2.fma(xv, a21);
            a31 = v3.fma(xv, a31);
        }
        a00.intoArray(parked, 0);
        a01.intoArray(parked, 4 * LANES);
        a10.intoArray(parked, LANES);
        a11.intoArray(parked, 5 * LANES);
        a20.intoArray(parked, 2 * LANES);
        a21.intoArray(parked, 6 * LANES);
        a30.intoArray(parked, 3 * LANES);
        a31.intoArray(parked, 7 * LANES);
    }

    /** Four rows against one input (an input remainder): four independent FMA chains. */
    private static void rows4batch1(MemorySegment packed, long tile, MemorySegment inputs, long x0, int bound, float[] parked) {
        FloatVector a0 = FloatVector.zero(WIDE);
        FloatVector a1 = a0, a2 = a0, a3 = a0;
        for (int c = 0; c < bound; c += LANES) {
            long w = tile + 16L * c;
            FloatVector xv = at(inputs, x0 + 4L * c);
            a0 = at(packed, w).fma(xv, a0);
            a1 = at(packed, w + 64).fma(xv, a1);
            a2 = at(packed, w + 128).fma(xv, a2);
            a3 = at(packed, w + 192).fma(xv, a3);
        }
        a0.intoArray(parked, 0);
        a1.intoArray(parked, LANES);
        a2.intoArray(parked, 2 * LANES);
        a3.intoArray(parked, 3 * LANES);
    }
}
