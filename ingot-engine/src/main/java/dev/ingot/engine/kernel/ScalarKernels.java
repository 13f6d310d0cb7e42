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
        if (Lanes.INT_BLOCKS && (w.dtype() == DType.Q8_0 || w.dtype() == DType.Q4_0)) {
            blockDot(w, x, out, batch);
            return;
        }
        if (w.dtype() == DType.Q4_K || w.dtype() == DType.Q6_K) {
            kQuantDot(w, x, out, batch);
            return;
        }
        boolean panels = w.layout() == WeightMatrix.Layout.PANELS;
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < rows; r++) {
                float sum = 0f;
                if (panels) {
                    for (int c = 0; c < cols; c++) {
                        sum += w.weight(r, c) * x[b * cols + c];
                    }
                    out[b * rows + r] = sum;
                    continue;
                }
                long rowStart = (long) r * cols;
                for (int c = 0; c < cols; c++) {
                    sum += weight(w.data(), w.dtype(), rowStart + c) * x[b * cols + c];
                }
                out[b * rows + r] = sum;
            }
        }
    }

    /**
     * GGML blocks as ggml's {@code vec_dot} computes them (and the vector kernels do): each input quantized
     * per block to Q8_0 ({@code quantize_row_q8_0}), each block's integer dot product (exact) times the
     * product of the two scales, summed block by block in order.
     */
    private static void blockDot(WeightMatrix w, float[] x, float[] out, int batch) {
        int rows = w.rows();
        int cols = w.cols();
        int blocks = cols / Lanes.QBLOCK;
        short[] xq = new short[cols];
        float[] xd = new float[blocks];
        for (int b = 0; b < batch; b++) {
            Lanes.quantizeQ8(x, b * cols, cols, xq, 0, xd, 0);
            for (int r = 0; r < rows; r++) {
                float sum = 0f;
                for (int blk = 0; blk < blocks; blk++) {
                    long first = (long) r * cols + (long) blk * Lanes.QBLOCK;
                    int dot = 0;
                    for (int i = 0; i < Lanes.QBLOCK; i++) {
                        dot += quant(w.data(), w.dtype(), first + i) * xq[blk * Lanes.QBLOCK + i];
                    }
                    sum += dot * (scale(w.data(), w.dtype(), first) * xd[blk]);
                }
                out[b * rows + r] = sum;
            }
        }
    }

    /**
     * K-quants as ggml's {@code vec_dot_q4_K_q8_K} / {@code vec_dot_q6_K_q8_K} compute them: each input
     * quantized per 256 to Q8_K ({@link Q8KActivations}), then per super-block the exact integer sum of
     * {@code scale * q * xq} over its weights (Q6_K: {@code q - 32}; Q4_K: the nibble, with
     * {@code min * xq} summed apart), times {@code d * dx} (Q4_K minus {@code dmin * dx} times the mins' sum),
     * summed super-block by super-block in order. Reads the blocks byte by byte, as GgmlBlocks decodes them.
     */
    private static void kQuantDot(WeightMatrix w, float[] x, float[] out, int batch) {
        int rows = w.rows();
        int cols = w.cols();
        int blocks = cols / 256;
        boolean q4K = w.dtype() == DType.Q4_K;
        long rowBytes = (long) blocks * w.dtype().blockBytes();
        MemorySegment data = w.data();
        for (int b = 0; b < batch; b++) {
            Q8KActivations xq = Q8KActivations.of(java.util.Arrays.copyOfRange(x, b * cols, (b + 1) * cols), 1, cols);
            for (int r = 0; r < rows; r++) {
                float sum = 0f;
                for (int blk = 0; blk < blocks; blk++) {
                    long start = r * rowBytes + (long) blk * w.dtype().blockBytes();
                    long products = 0;
                    long offsets = 0;
                    for (int e = 0; e < 256; e++) {
                        int xv = xq.quants()[blk * 256 + e];
                        if (q4K) {
                            int j = e / 32;
                            int nibble = (u8(data, start + 16 + 32L * (j / 2) + e % 32) >>> (4 * (j % 2))) & 0x0f;
                            products += (long) q4KScaleOrMin(data, start, j, false) * nibble * xv;
                            offsets += (long) q4KScaleOrMin(data, start, j, true) * xv;
                        } else {
                            int h = e / 128;
                            int within = e % 128;
                            int low = (u8(data, start + 64L * h + within % 64) >>> (within < 64 ? 0 : 4)) & 0x0f;
                            int high = (u8(data, start + 128 + 32L * h + within % 32) >>> (2 * (within / 32))) & 3;
                            products += (long) data.get(ValueLayout.JAVA_BYTE, start + 192 + e / 16) * ((low | high << 4) - 32) * xv;
                        }
                    }
                    float dx = xq.scales()[blk];
                    if (q4K) {
                        sum += Float.float16ToFloat(data.get(U16, start)) * dx * products
                                - Float.float16ToFloat(data.get(U16, start + 2)) * dx * offsets;
                    } else {
                        sum += Float.float16ToFloat(data.get(U16, start + 208)) * dx * products;
                    }
                }
                out[b * rows + r] = sum;
            }
        }
    }

    private static int u8(MemorySegment data, long at) {
        return data.get(ValueLayout.JAVA_BYTE, at) & 0xff;
    }

    /** Q4_K's six-bit scale (or min) of sub-block {@code j}: ggml's {@code get_scale_min_k4}. */
    private static int q4KScaleOrMin(MemorySegment data, long start, int j, boolean min) {
        long q = start + 4;
        if (j < 4) {
            return u8(data, q + j + (min ? 4 : 0)) & 63;
        }
        return min ? (u8(data, q + j + 4) >>> 4) | ((u8(data, q + j) >>> 6) << 4)
                : (u8(data, q + j + 4) & 0x0f) | ((u8(data, q + j - 4) >>> 6) << 4);
    }

    /** The integer value of block element {@code index} (Q8_0: its signed byte; Q4_0: its nibble minus 8). */
    static int quant(MemorySegment data, DType dtype, long index) {
        if (dtype == DType.Q8_0) {
            return data.get(ValueLayout.JAVA_BYTE, (index / 32) * 34 + 2 + index % 32);
        }
        int within = (int) (index % 32);
        int packed = data.get(ValueLayout.JAVA_BYTE, (index / 32) * 18 + 2 + within % 16) & 0xff;
        return (within < 16 ? packed & 0x0f : packed >>> 4) - 8;
    }

    /** The F16 scale of the block holding element {@code index}. */
    static float scale(MemorySegment data, DType dtype, long index) {
        return Float.float16ToFloat(data.get(U16, (index / 32) * (dtype == DType.Q8_0 ? 34 : 18)));
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
            case Q4_K -> {
                long block = (index / 256) * 144;
                int e = (int) (index % 256);
                int j = e / 32;
                int nibble = (u8(data, block + 16 + 32L * (j / 2) + e % 32) >>> (4 * (j % 2))) & 0x0f;
                float d = Float.float16ToFloat(data.get(U16, block));
                float dmin = Float.float16ToFloat(data.get(U16, block + 2));
                yield d * q4KScaleOrMin(data, block, j, false) * nibble - dmin * q4KScaleOrMin(data, block, j, true);
            }
            case Q6_K -> {
                long block = (index / 256) * 210;
                int e = (int) (index % 256);
                int h = e / 128;
                int within = e % 128;
                int low = ((data.get(ValueLayout.JAVA_BYTE, block + 64L * h + within % 64) & 0xff) >>> (within < 64 ? 0 : 4)) & 0x0f;
                int high = ((data.get(ValueLayout.JAVA_BYTE, block + 128 + 32L * h + within % 32) & 0xff) >>> (2 * (within / 32))) & 3;
                float d = Float.float16ToFloat(data.get(U16, block + 208));
                yield d * data.get(ValueLayout.JAVA_BYTE, block + 192 + e / 16) * ((low | high << 4) - 32);
            }
            default -> throw new IllegalArgumentException("not a weight type: " + dtype);
        };
    }

    @Override
    public String describe() {
        return "scalar reference loop, 1 thread";
    }
}
