package dev.ingot.engine.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Attention's dot and axpy over key and value rows that live in a {@link MemorySegment} (the paged KV
 * cache) instead of a {@code float[]}: the plain loops, with exactly the arithmetic of {@link Kernels#dot}
 * and {@link Kernels#axpy}'s defaults, so an F32 row gives the same bits wherever it is stored. The
 * reference the vector versions are tested against. Offsets are in bytes; elements are in {@link #ORDER}.
 */
public final class SegmentScalarKernels {

    /**
     * The byte order of KV cache elements: the platform's own. The cache never leaves this process, and
     * vector loads in native order compiled to fewer instructions than little-endian ones (which are the
     * same bytes on x86 and ARM): about 10% off the per-block score kernel in isolation.
     */
    public static final ByteOrder ORDER = ByteOrder.nativeOrder();
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ORDER);
    private static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ORDER);

    private SegmentScalarKernels() {}

    public static float dotF32(float[] a, int aOffset, MemorySegment b, long bOffset, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += a[aOffset + i] * b.get(F32, bOffset + (long) i * Float.BYTES);
        }
        return sum;
    }

    public static float dotBf16(float[] a, int aOffset, MemorySegment b, long bOffset, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += a[aOffset + i] * bf16(b, bOffset + (long) i * Short.BYTES);
        }
        return sum;
    }

    public static void axpyF32(float alpha, MemorySegment x, long xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] += alpha * x.get(F32, xOffset + (long) i * Float.BYTES);
        }
    }

    public static void axpyBf16(float alpha, MemorySegment x, long xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] += alpha * bf16(x, xOffset + (long) i * Short.BYTES);
        }
    }

    /**
     * Attention scores of positions {@code [slot, slot + slots)} of one block, every head:
     * {@code scores[scoreOffset + h * scoreStride + s - slot] = score(q head h, key of position s of kv head
     * h / group) * scale}. Keys are stored transposed: key element {@code c} (of the range that starts at
     * {@code keysOffset}) of position {@code s} is at byte {@code keysOffset + (c * positions + s) * element
     * bytes}. Each score is {@link Kernels#scoreDot}'s chain of fused multiply-adds in element order, the
     * order the vector kernel follows in each lane.
     */
    public static void blockScores(boolean bf16, float[] q, int qOffset, int heads, int headDim, int group, float scale,
            MemorySegment block, long keysOffset, int positions, int slot, int slots, float[] scores, int scoreOffset,
            int scoreStride) {
        int elementBytes = bf16 ? Short.BYTES : Float.BYTES;
        long channelBytes = (long) positions * elementBytes;
        for (int s = slot; s < slot + slots; s++) {
            for (int h = 0; h < heads; h++) {
                long at = keysOffset + (long) (h / group) * headDim * channelBytes + (long) s * elementBytes;
                int qAt = qOffset + h * headDim;
                float sum = 0f;
                for (int d = 0; d < headDim; d++, at += channelBytes) {
                    sum = Math.fma(q[qAt + d], bf16 ? bf16(block, at) : block.get(F32, at), sum);
                }
                scores[scoreOffset + h * scoreStride + s - slot] = sum * scale;
            }
        }
    }

    /**
     * The weighted sum over {@code slots} positions of one block, every head: for each slot in order, then
     * each head, {@code out[head h] += weights[weightOffset + h * weightStride + s] * value row s of kv head
     * h / group}, each step exactly {@link #axpyF32}'s. The weights are the softmax's, already divided by
     * their head's sum (once per position and head, as the heap path divides).
     */
    public static void blockValues(boolean bf16, float[] weights, int weightOffset, int weightStride, int heads,
            int headDim, int group, MemorySegment block, long valueOffset, long rowBytes, int slots, float[] out, int outOffset) {
        int elementBytes = bf16 ? Short.BYTES : Float.BYTES;
        for (int s = 0; s < slots; s++) {
            long row = valueOffset + s * rowBytes;
            for (int h = 0; h < heads; h++) {
                long at = row + (long) (h / group) * headDim * elementBytes;
                float weight = weights[weightOffset + h * weightStride + s];
                if (bf16) {
                    axpyBf16(weight, block, at, out, outOffset + h * headDim, headDim);
                } else {
                    axpyF32(weight, block, at, out, outOffset + h * headDim, headDim);
                }
            }
        }
    }

    /** A BF16 is the upper half of the F32 with the same value. */
    static float bf16(MemorySegment data, long byteOffset) {
        return Float.intBitsToFloat(data.get(BF16, byteOffset) << 16);
    }
}
