package dev.ingot.engine.kernel;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/** Weight matrices for kernel tests, stored off-heap little-endian as a mapped checkpoint would be. */
final class Matrices {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Matrices() {}

    /** {@code values} (row-major) stored in {@code dtype}; BF16 truncates, F16 rounds to nearest. */
    static WeightMatrix of(DType dtype, int rows, int cols, float[] values) {
        if (dtype.blockElements() > 1) { // GGML blocks, quantized as ggml's reference quantizer does
            MemorySegment f32 = Arena.ofAuto().allocate((long) values.length * 4, 64);
            MemorySegment.copy(values, 0, f32, F32, 0, values.length);
            MemorySegment blocks = Arena.ofAuto().allocate(dtype.bytesFor((long) rows * cols), 64);
            dev.ingot.engine.tensor.quant.Quantizer.fromF32(f32, dtype, blocks, (long) rows * cols);
            return new WeightMatrix("w" + rows + "x" + cols, blocks, dtype, rows, cols);
        }
        MemorySegment data = Arena.ofAuto().allocate((long) rows * cols * dtype.byteSize(), 64);
        for (int i = 0; i < values.length; i++) {
            switch (dtype) {
                case F32 -> data.setAtIndex(F32, i, values[i]);
                case BF16 -> data.setAtIndex(U16, i, (short) (Float.floatToRawIntBits(values[i]) >>> 16));
                case F16 -> data.setAtIndex(U16, i, Float.floatToFloat16(values[i]));
                default -> throw new IllegalArgumentException(dtype.name());
            }
        }
        return new WeightMatrix("w" + rows + "x" + cols, data, dtype, rows, cols);
    }

    static WeightMatrix random(DType dtype, int rows, int cols, Random random) {
        return of(dtype, rows, cols, uniform(rows * cols, random));
    }

    /** Uniform in [-1, 1). */
    static float[] uniform(int n, Random random) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextFloat() * 2f - 1f;
        }
        return v;
    }
}
