package dev.ingot.engine.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Widens F16 rows to F32 once per batched call, into the packed tile layout of {@link WideF32Rows}, whose F32
 * tiles then multiply them against every input. The batched half-float tiles of {@code TypedRowBlock} widen
 * each weight vector again for every four inputs (several instructions per vector, inside the FMA loop); here
 * a weight is widened once per row chunk however large the batch, and the tiles are the code that runs F32
 * prompts. That also took away most of F16 prefill's dependence on what ran before it in the JVM (the old
 * tiles compiled worse without the batch-1 profile; bench/RESULTS.md "Half-float prefill").
 *
 * <p>The widening is {@link Lanes#f16Wide}, the load of the batch-1 row: exact, so every packed weight is the
 * value batch 1 multiplies. BF16 stays on the in-register tiles: its widening is one shift, and packed it
 * measured 0.46-0.92x of them. {@code -Dingot.halves.decode=false} keeps the old tiles for F16 too (A/B).
 */
final class F16RowDecoder {

    /**
     * Whether batched F16 calls go this way: only where F16 rows are summed over sixteen lanes
     * ({@link Lanes#WIDE_HALVES}), the order of {@link WideF32Rows}' tiles.
     */
    static final boolean ENABLED = Lanes.WIDE_HALVES && !"false".equals(System.getProperty("ingot.halves.decode"));

    private static final int LANES = 16;
    private static final int ROW_TILE = 4;
    private static final long ROW_BYTES = LANES * Float.BYTES;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private F16RowDecoder() {}

    /**
     * Rows {@code [from, to)} (rows past {@code last} repeat it) of an F16 matrix, whole 16-column chunks up to
     * {@code bound}, widened into {@code packed}: per tile of four rows and per chunk, the four rows' sixteen
     * floats one after the other, as {@link WideF32Rows} packs F32 rows.
     */
    static void pack(MemorySegment data, int cols, int bound, int from, int to, int last, MemorySegment packed) {
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
