package dev.ingot.engine.kernel;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.Set;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;

/**
 * Gets every panel tile compiled by C2 before any other kernel has run, the first time a weight type is packed.
 *
 * <p>Why: the Vector API's calls pass through JDK methods shared by every vector class (the memory-segment loads,
 * the lane-wise templates), and C2 inlines them into a tile using their type profiles. Once other kernels have
 * pushed other vector classes through those methods, a tile compiled afterwards can lose the speculation that
 * keeps its vectors in registers: a C2 compile of a shared JDK method that speculated on one class and met
 * another leaves a trap on record, and later compiles then box each FMA's result. Measured (bench/RESULTS.md
 * "Panels and the JIT"): the 4-input tile compiled after the row kernels and the KV kernels had run took 46-67 us
 * a call instead of 3.4-4.2 us, and the 16-sequence decode ran 100-130 tok/s instead of 400-470, depending on which
 * kernels the JIT happened to see first. Compiled here, on a small matrix, each tile meets only its own vector
 * class; a compiled tile stays valid whatever other kernels do later, so serving keeps the fast code.
 *
 * <p>Every vector class the kernels use is loaded first, so that no class loaded later invalidates the tiles'
 * class-hierarchy assumptions and sends them back to be compiled in a polluted JVM.
 */
final class PanelWarmup {

    /** Batches whose tiles cover every width (12, 8, 4 and 1 inputs, and the one-input four-panel tile). */
    private static final int[] BATCHES = {1, 4, 8, 12, 13, 16, 24, 28};
    /** Three panels: two through the two-panel tile and an odd last one, stored once. */
    private static final int PANELS = 3;
    private static final int COLS = 16;
    /** Sweeps over every batch: enough calls of each tile for C2 (tier 4 at about 5,000 calls) with room to spare. */
    private static final int SWEEPS = 4_000;

    private static final Set<DType> WARMED = EnumSet.noneOf(DType.class);

    private PanelWarmup() {}

    /** Runs the warm-up for panels of {@code stored} once per JVM; later calls return at once. */
    static synchronized void ensure(DType stored) {
        if (WARMED.contains(stored)) {
            return;
        }
        WARMED.add(stored);
        loadVectorClasses();
        int rows = PANELS * WeightPanels.HEIGHT;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rowMajor = arena.allocate((long) rows * COLS * Float.BYTES, 64);
            for (int i = 0; i < rows * COLS; i++) {
                float v = ((i * 37) % 19 - 9) / 16f; // exact in BF16 too: small multiples of 1/16
                if (stored == DType.F32) {
                    rowMajor.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
                } else {
                    rowMajor.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) (Float.floatToRawIntBits(v) >>> 16));
                }
            }
            WeightMatrix panels = new WeightMatrix("warm-up", WeightPanels.pack(rowMajor, stored, rows, COLS, arena), stored,
                    rows, COLS, WeightMatrix.Layout.PANELS);
            int maxBatch = BATCHES[BATCHES.length - 1];
            float[] x = new float[maxBatch * COLS];
            for (int i = 0; i < x.length; i++) {
                x[i] = (i % 7 - 3) / 8f;
            }
            float[] out = new float[maxBatch * rows];
            for (int sweep = 0; sweep < SWEEPS; sweep++) {
                for (int batch : BATCHES) {
                    // Whole matrices and a worker's share that starts and ends inside a panel, as the pool splits rows.
                    RowBlockMatmul.rows(panels, x, null, null, out, batch, 0, rows);
                    RowBlockMatmul.rows(panels, x, null, null, out, batch, 3, rows - 5);
                }
            }
        }
    }

    /** Loads every vector class (each element type's species load all its shapes' classes). */
    private static void loadVectorClasses() {
        int lanes = FloatVector.SPECIES_MAX.length() + IntVector.SPECIES_MAX.length() + ShortVector.SPECIES_MAX.length()
                + ByteVector.SPECIES_MAX.length() + Lanes.LANES;
        if (lanes <= 0) {
            throw new AssertionError(lanes);
        }
    }
}
