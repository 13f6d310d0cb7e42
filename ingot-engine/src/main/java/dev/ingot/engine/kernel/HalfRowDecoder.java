package dev.ingot.engine.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Widens F16 and BF16 rows to F32 once per batched call, into the packed tile layout of {@link WideF32Rows},
 * whose F32 tiles then multiply them against every input. The batched half-float tiles of {@code TypedRowBlock}
 * widen each weight vector again for every four inputs, inside the FMA loop, and finish every 4 x 4 tile with
 * sixteen lane-sum trees of their own; here a weight is widened once per row chunk however large the batch, and
 * the tiles are the code that runs F32 prompts. For F16 that also took away most of prefill's dependence on what
 * ran before it in the JVM (bench/RESULTS.md "Half-float prefill"); for BF16, whose widening is one shift, what
 * it saves is the re-widening and the lane sums (bench/RESULTS.md "BF16 batched decode").
 *
 * <p>The widening is {@link Lanes#f16Wide} or {@link Lanes#bf16Wide}, the load of the batch-1 row: exact, so
 * every packed weight is the value batch 1 multiplies. One method per type, so that each loop compiles with its
 * own widening only.
 */
final class HalfRowDecoder {

    /**
     * Whether batched F16 calls go this way ({@code -Dingot.halves.decode=false} keeps the in-register tiles for
     * both types, an A/B switch): only where half-float rows are summed over sixteen lanes
     * ({@link Lanes#WIDE_HALVES}), the order of {@link WideF32Rows}' tiles.
     */
    static final boolean ENABLED = Lanes.WIDE_HALVES && !"false".equals(System.getProperty("ingot.halves.decode"));

    /**
     * How BF16 batches of {@link WideF32Rows#PACKED_BATCH} or more are multiplied ({@code -Dingot.bf16.batches=}
     * {@code inplace}, {@code packed} or {@code tiles}, for A/B runs): by default in {@link WideF32Rows}' tiles with
     * each weight vector widened where it lies ({@link Bf16RowTiles}); {@code packed} widens the rows into the
     * packed layout first ({@link #packBf16}), as F16 does; {@code tiles} keeps {@code TypedRowBlock}'s 4 x 4
     * in-register tiles (every BF16 batch, as before).
     */
    static final Bf16Batches BF16_BATCHES = Bf16Batches.valueOf(
            System.getProperty("ingot.bf16.batches", "inplace").toUpperCase(java.util.Locale.ROOT).replace("INPLACE", "IN_PLACE"));

    /** The ways a BF16 batch can go; see {@link #BF16_BATCHES}. */
    enum Bf16Batches { IN_PLACE, PACKED, TILES }

    private static final int LANES = 16;
    private static final int ROW_TILE = 4;
    private static final long ROW_BYTES = LANES * Float.BYTES;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private HalfRowDecoder() {}

    /** Whether a BF16 call of {@code batch} inputs goes to {@link WideF32Rows}' tiles (packed or in place). */
    static boolean bf16InWideTiles(int batch) {
        return ENABLED && BF16_BATCHES != Bf16Batches.TILES && batch >= WideF32Rows.PACKED_BATCH;
    }

    /**
     * Rows {@code [from, to)} (rows past {@code last} repeat it) of an F16 matrix, whole 16-column chunks up to
     * {@code bound}, widened into {@code packed}: per tile of four rows and per chunk, the four rows' sixteen
     * floats one after the other, as {@link WideF32Rows} packs F32 rows.
     */
    static void packF16(MemorySegment data, int cols, int bound, int from, int to, int last, MemorySegment packed) {
        long at = 0;
        for (int r = from; r < to; r += ROW_TILE) {
            long w0 = (long) r * cols;
            long w1 = (long) Math.min(r + 1, last) * cols;
            long w2 = (long) Math.min(r + 2, last) * cols;
            long w3 = (long) Math.min(r + 3, last) * cols;
            for (int c = 0; c < bound; c += LANES, at += ROW_TILE * ROW_BYTES) {
                Lanes.f16Wide(data, w0 + c).intoMemorySegment(packed, at, LE);
                Lanes.f16Wide(data, w1 + c).intoMemorySegment(packed, at + ROW_BYTES, LE);
                Lanes.f16Wide(data, w2 + c).intoMemorySegment(packed, at + 2 * ROW_BYTES, LE);
                Lanes.f16Wide(data, w3 + c).intoMemorySegment(packed, at + 3 * ROW_BYTES, LE);
            }
        }
    }

    /** {@link #packF16} for a BF16 matrix. */
    static void packBf16(MemorySegment data, int cols, int bound, int from, int to, int last, MemorySegment packed) {
        long at = 0;
        for (int r = from; r < to; r += ROW_TILE) {
            long w0 = (long) r * cols;
            long w1 = (long) Math.min(r + 1, last) * cols;
            long w2 = (long) Math.min(r + 2, last) * cols;
            long w3 = (long) Math.min(r + 3, last) * cols;
            for (int c = 0; c < bound; c += LANES, at += ROW_TILE * ROW_BYTES) {
                Lanes.bf16Wide(data, w0 + c).intoMemorySegment(packed, at, LE);
                Lanes.bf16Wide(data, w1 + c).intoMemorySegment(packed, at + ROW_BYTES, LE);
                Lanes.bf16Wide(data, w2 + c).intoMemorySegment(packed, at + 2 * ROW_BYTES, LE);
                Lanes.bf16Wide(data, w3 + c).intoMemorySegment(packed, at + 3 * ROW_BYTES, LE);
            }
        }
    }
}
