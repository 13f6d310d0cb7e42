package dev.ingot.engine.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Fills {@link WeightPanels}' layout ({@code panel[p][c][k] = W[HEIGHT p + k][c]}, zero padding rows) from a
 * row-major little-endian matrix, moving 64-bit words rather than elements.
 *
 * <p>Why words: the repack runs on an update's commit path, and moving one element at a time (a load and a store per
 * 2-byte BF16) ran at 0.65 GB/s of panels for BF16 and 2.5 for F32. Here a word holds four BF16 or two F32 of one
 * row; four (two) words from consecutive rows, transposed in registers with masks and shifts, are the same columns'
 * words of the panel, so each load and store moves four (two) elements, and no Vector API is involved (the panel
 * tiles' speculation is kept away from other vector code, {@link PanelWarmup}).
 *
 * <p>Per panel: each row is copied into a heap block of whole words (so a row whose length is not a whole number
 * of words still starts on a word, and the tail word's extra lanes only ever land in columns past the end, which are
 * never copied out), transposed into a heap panel, and copied out in one bulk write. The transpose goes row group by
 * row group along the rows (a long counted loop the JIT unrolls: 1.25x faster than column group by column group, whose
 * inner loop ran over only four row groups); writing straight into the panel memory instead of the heap panel and a
 * bulk copy, or reading the rows in place instead of copying them into the block, was no faster overall
 * (one thread, 2026-12-02). The bytes are moved unchanged, so the panel holds little-endian elements, which
 * is what the tiles read in native order on a little-endian CPU.
 */
final class PanelPacking {

    private static final long LOW_HALVES = 0x0000_FFFF_0000_FFFFL;
    private static final long HIGH_HALVES = 0xFFFF_0000_FFFF_0000L;
    private static final long LOW_WORD = 0x0000_0000_FFFF_FFFFL;
    private static final long HIGH_WORD = 0xFFFF_FFFF_0000_0000L;

    private PanelPacking() {}

    /** Panels {@code [from, to)} of F32 weights; {@code height} rows per panel, an even number. */
    static void floats(MemorySegment rowMajor, int rows, int cols, int height, MemorySegment panels, int from, int to) {
        requireLittleEndian();
        int rowWords = Math.ceilDiv(cols, 2);
        int pairs = height / 2; // words per panel column
        long[] block = new long[height * rowWords];
        long[] panel = new long[rowWords * 2 * pairs];
        MemorySegment blockBytes = MemorySegment.ofArray(block);
        MemorySegment panelBytes = MemorySegment.ofArray(panel);
        long rowBytes = (long) cols * Float.BYTES;
        long panelSize = rowBytes * height;
        for (int p = from; p < to; p++) {
            fill(rowMajor, rows, height, p, rowBytes, blockBytes, rowWords, block);
            for (int q = 0; q < pairs; q++) {
                // Rows 2q, 2q + 1, word by word: word g of a row holds columns 2g (low) and 2g + 1 (high).
                int row0 = 2 * q * rowWords;
                int row1 = row0 + rowWords;
                for (int g = 0, out = q; g < rowWords; g++, out += 2 * pairs) {
                    long r0 = block[row0 + g];
                    long r1 = block[row1 + g];
                    panel[out] = (r0 & LOW_WORD) | (r1 << 32); // column 2g: rows 2q, 2q + 1
                    panel[out + pairs] = (r0 >>> 32) | (r1 & HIGH_WORD); // column 2g + 1
                }
            }
            MemorySegment.copy(panelBytes, 0, panels, p * panelSize, panelSize);
        }
    }

    /** Panels {@code [from, to)} of 16-bit weights (BF16), moved as their bits; {@code height} a multiple of four. */
    static void halves(MemorySegment rowMajor, int rows, int cols, int height, MemorySegment panels, int from, int to) {
        requireLittleEndian();
        int rowWords = Math.ceilDiv(cols, 4);
        int quads = height / 4; // words per panel column
        long[] block = new long[height * rowWords];
        long[] panel = new long[rowWords * 4 * quads];
        MemorySegment blockBytes = MemorySegment.ofArray(block);
        MemorySegment panelBytes = MemorySegment.ofArray(panel);
        long rowBytes = (long) cols * Short.BYTES;
        long panelSize = rowBytes * height;
        for (int p = from; p < to; p++) {
            fill(rowMajor, rows, height, p, rowBytes, blockBytes, rowWords, block);
            for (int q = 0; q < quads; q++) {
                // Rows 4q .. 4q + 3, word by word: word g of a row holds columns 4g .. 4g + 3 (lane i = column 4g + i).
                int row0 = 4 * q * rowWords;
                int row1 = row0 + rowWords;
                int row2 = row1 + rowWords;
                int row3 = row2 + rowWords;
                for (int g = 0, out = q; g < rowWords; g++, out += 4 * quads) {
                    long r0 = block[row0 + g];
                    long r1 = block[row1 + g];
                    long r2 = block[row2 + g];
                    long r3 = block[row3 + g];
                    // Pairs of rows: t0 = columns 4g, 4g + 2 of rows 4q, 4q + 1; t1 = columns 4g + 1, 4g + 3 of them.
                    long t0 = (r0 & LOW_HALVES) | ((r1 & LOW_HALVES) << 16);
                    long t1 = ((r0 >>> 16) & LOW_HALVES) | (r1 & HIGH_HALVES);
                    long t2 = (r2 & LOW_HALVES) | ((r3 & LOW_HALVES) << 16);
                    long t3 = ((r2 >>> 16) & LOW_HALVES) | (r3 & HIGH_HALVES);
                    // Then the two pairs' 32-bit halves: column 4g + j's word for these rows, lane m = row 4q + m.
                    panel[out] = (t0 & LOW_WORD) | (t2 << 32);
                    panel[out + quads] = (t1 & LOW_WORD) | (t3 << 32);
                    panel[out + 2 * quads] = (t0 >>> 32) | (t2 & HIGH_WORD);
                    panel[out + 3 * quads] = (t1 >>> 32) | (t3 & HIGH_WORD);
                }
            }
            MemorySegment.copy(panelBytes, 0, panels, p * panelSize, panelSize);
        }
    }

    /** Copies panel {@code p}'s rows into {@code block}, one row per {@code rowWords} words; rows past the end are zero. */
    private static void fill(MemorySegment rowMajor, int rows, int height, int p, long rowBytes, MemorySegment blockBytes,
            int rowWords, long[] block) {
        int first = p * height;
        int present = Math.min(height, rows - first);
        long wordBytes = (long) rowWords * Long.BYTES;
        for (int k = 0; k < present; k++) {
            MemorySegment.copy(rowMajor, (first + k) * rowBytes, blockBytes, k * wordBytes, rowBytes);
        }
        if (present < height) {
            java.util.Arrays.fill(block, present * rowWords, block.length, 0L); // the last panel's padding rows
        }
    }

    private static void requireLittleEndian() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("weight panels are packed on little-endian CPUs only; run with "
                    + "-Dingot.weights.panels=false");
        }
    }
}
