package dev.ingot.engine.kernel;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The plain single-threaded loop: the reference the fast kernels are tested against and the
 * baseline benchmarks report ratios to. Never used for serving.
 */
public final class ScalarKernels implements Kernels {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public void matmul(WeightMatrix w, float[] x, float[] out, int batch) {
        int rows = w.rows();
        int cols = w.cols();
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < rows; r++) {
                float sum = 0f;
                long rowStart = (long) r * cols;
                for (int c = 0; c < cols; c++) {
                    sum += weight(w.data(), w.dtype(), rowStart + c) * x[b * cols + c];
                }
                out[b * rows + r] = sum;
            }
        }
    }

    /** Element {@code index} of a weight buffer, widened to float. */
    public static float weight(MemorySegment data, DType dtype, long index) {
        return switch (dtype) {
            case F32 -> data.getAtIndex(F32, index);
            case BF16 -> Float.intBitsToFloat((data.getAtIndex(U16, index) & 0xffff) << 16);
            case F16 -> Float.float16ToFloat(data.getAtIndex(U16, index));
            case Q8_0 -> {
                long block = (index / 32) * 34;
                yield Float.float16ToFloat(data.get(U16, block)) * data.get(ValueLayout.JAVA_BYTE, block + 2 + index % 32);
            }
            case Q4_0 -> {
                long block = (index / 32) * 18;
                int within = (int) (index % 32);
                int packed = data.get(ValueLayout.JAVA_BYTE, block + 2 + within % 16) & 0xff;
                int nibble = within < 16 ? packed & 0x0f : packed >>> 4;
                yield Float.float16ToFloat(data.get(U16, block)) * (nibble - 8);
            }
            default -> throw new IllegalArgumentException("not a weight type: " + dtype);
        };
    }

    @Override
    public String describe() {
        return "scalar reference loop, 1 thread";
    }
}
