package dev.ingot.engine.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Which batched half-float calls leave {@code TypedRowBlock}'s 4 x 4 in-register tiles for {@link WideF32Rows}' tiles,
 * and the widening of F16 rows into their packed layout.
 *
 * <p>F16 rows are widened to F32 once per batched call, into the packed tile layout, whose F32 tiles then multiply
 * them against every input. The in-register tiles widen each weight vector again for every four inputs (several
 * instructions per vector for F16, inside the FMA loop) and finish every 4 x 4 tile with sixteen lane-sum trees of
 * their own; here a weight is widened once per row chunk however large the batch, and the tiles are the code that
 * runs F32 prompts. That also took away most of F16 prefill's dependence on what ran before it in the JVM
 * (bench/RESULTS.md "Half-float prefill"). The widening is {@link Lanes#f16Wide}, the load of the batch-1 row:
 * exact, so every packed weight is the value batch 1 multiplies.
 *
 * <p>BF16's widening is one shift: packing its rows (a write and a re-read of four bytes per weight) lost to the
 * in-register tiles, so BF16 rows are widened where they lie, in tiles of their own that park their sums for
 * {@link WideF32Rows}' lane sums ({@link Bf16RowTiles}; bench/RESULTS.md "BF16 batched decode").
 */
final class HalfRowDecoder {

    /**
     * Whether batched F16 calls go to the packed tiles ({@code -Dingot.halves.decode=false} keeps the in-register
     * tiles for both half types, an A/B switch): only where half-float rows are summed over sixteen lanes
     * ({@link Lanes#WIDE_HALVES}), the order of {@link WideF32Rows}' tiles.
     */
    static final boolean ENABLED = Lanes.WIDE_HALVES && !"false".equals(System.getProperty("ingot.halves.decode"));

    /**
     * Whether BF16 batches of {@link #BF16_WIDE_TILES_BATCH} or more go to {@link Bf16RowTiles}
     * ({@code -Dingot.bf16.wideTiles=false} keeps them on the in-register tiles, as before, for A/B runs).
     */
    static final boolean BF16_WIDE_TILES = ENABLED && !"false".equals(System.getProperty("ingot.bf16.wideTiles"));

    /**
     * The smallest BF16 batch that leaves the in-register tiles. kernels-ab against them, both orders
     * (bench/RESULTS.md "BF16 batched decode"): 0.84-1.14x at batch 4, 0.88-1.00x at 8, 1.10-1.21x at 16,
     * 1.08-1.16x at 64.
     */
    static final int BF16_WIDE_TILES_BATCH = 16;

    private static final int LANES = 16;
    private static final int ROW_TILE = 4;
    private static final long ROW_BYTES = LANES * Float.BYTES;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private HalfRowDecoder() {}

    /** Whether a BF16 call of {@code batch} inputs goes to {@link Bf16RowTiles}. */
    static boolean bf16InWideTiles(int batch) {
        return BF16_WIDE_TILES && batch >= BF16_WIDE_TILES_BATCH;
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
}
