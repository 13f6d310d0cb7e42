package dev.ingot.bench.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import dev.ingot.spi.tensor.DType;

/**
 * Off-heap random values in F32 and BF16 that every synthetic tensor is sliced from. Tensors share
 * the bytes (at different offsets), which is fine for speed measurements: the checkpoint file still
 * holds a separate copy of every tensor, so decoding reads as many distinct bytes as a real model.
 * Norm weights are ones, as freshly initialised Llama models have them.
 */
final class RandomWeights implements AutoCloseable {

    /** Slices start up to this many elements apart, so neighbouring tensors do not look identical. */
    private static final long SPREAD = 1 << 16;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment f32;
    private final MemorySegment bf16;
    private final MemorySegment onesF32;
    private final MemorySegment onesBf16;
    private long nextOffset;

    RandomWeights(long elements, int maxVector, float scale) {
        long n = elements + SPREAD;
        f32 = arena.allocate(n * Float.BYTES, 64);
        bf16 = arena.allocate(n * Short.BYTES, 64);
        long state = 0x9E3779B97F4A7C15L;
        for (long i = 0; i < n; i++) {
            // xorshift64: cheap and good enough for weights nobody will train.
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            float value = ((state >>> 40) / (float) (1 << 24) * 2f - 1f) * scale;
            f32.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, value);
            bf16.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) (Float.floatToRawIntBits(value) >>> 16));
        }
        onesF32 = arena.allocate((long) maxVector * Float.BYTES, 64);
        onesBf16 = arena.allocate((long) maxVector * Short.BYTES, 64);
        for (int i = 0; i < maxVector; i++) {
            onesF32.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, 1f);
            onesBf16.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) (Float.floatToRawIntBits(1f) >>> 16));
        }
    }

    /** {@code elements} random weights of {@code dtype} (F32 or BF16), little-endian. */
    MemorySegment random(DType dtype, long elements) {
        long offset = nextOffset;
        nextOffset = (nextOffset + 4099) % SPREAD;
        return source(dtype, f32, bf16).asSlice(offset * dtype.byteSize(), elements * dtype.byteSize());
    }

    /** {@code elements} ones of {@code dtype}. */
    MemorySegment ones(DType dtype, long elements) {
        return source(dtype, onesF32, onesBf16).asSlice(0, elements * dtype.byteSize());
    }

    private static MemorySegment source(DType dtype, MemorySegment f32, MemorySegment bf16) {
        return switch (dtype) {
            case F32 -> f32;
            case BF16 -> bf16;
            default -> throw new IllegalArgumentException("synthetic weights are F32 or BF16, not " + dtype);
        };
    }

    @Override
    public void close() {
        arena.close();
    }
}
