package dev.ingot.engine.tensor.quant;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * Turns GGML block-quantized data (as llama.cpp stores it, and as a format plugin hands it over) into
 * little-endian float32. Quantized tensors are rows of whole blocks, so any run of whole blocks, a
 * row or a whole tensor, decodes on its own.
 *
 * <pre>{@code
 * long n = info.shape().elementCount();
 * MemorySegment f32 = arena.allocate(n * Float.BYTES, 64);
 * Dequantizer.toF32(tensor.data(), info.dtype(), f32, n);
 * }</pre>
 */
public final class Dequantizer {

    private Dequantizer() {}

    /** True for the types {@link #toF32} decodes. */
    public static boolean supports(DType type) {
        return switch (type) {
            case Q8_0, Q4_0, Q5_0, Q5_1, Q4_K, Q6_K -> true;
            default -> false;
        };
    }

    /**
     * Decodes the first {@code elements} elements of {@code src} (whole blocks of {@code type}) into
     * the first {@code elements} floats of {@code dstF32}.
     *
     * @throws IllegalArgumentException when {@code type} is not a supported block type, {@code elements}
     *                                  is not whole blocks, or either segment is too small
     */
    public static void toF32(MemorySegment src, DType type, MemorySegment dstF32, long elements) {
        if (!supports(type)) {
            throw new IllegalArgumentException("no GGML block decoder for " + type + "; decodable: Q8_0, Q4_0, Q5_0, Q5_1, Q4_K, Q6_K");
        }
        long srcBytes = type.bytesFor(elements); // throws unless whole blocks
        if (elements < 0 || src.byteSize() < srcBytes || dstF32.byteSize() / Float.BYTES < elements) {
            throw new IllegalArgumentException(elements + " " + type + " elements need " + srcBytes + " source bytes and "
                    + elements * Float.BYTES + " float32 bytes, got " + src.byteSize() + " and " + dstF32.byteSize());
        }
        long blocks = elements / type.blockElements();
        long outBlockBytes = (long) type.blockElements() * Float.BYTES;
        for (long b = 0; b < blocks; b++) {
            long in = b * type.blockBytes();
            long out = b * outBlockBytes;
            switch (type) {
                case Q8_0 -> GgmlBlocks.q8_0(src, in, dstF32, out);
                case Q4_0 -> GgmlBlocks.q4_0(src, in, dstF32, out);
                case Q5_0 -> GgmlBlocks.q5_0(src, in, dstF32, out);
                case Q5_1 -> GgmlBlocks.q5_1(src, in, dstF32, out);
                case Q4_K -> GgmlBlocks.q4K(src, in, dstF32, out);
                case Q6_K -> GgmlBlocks.q6K(src, in, dstF32, out);
                default -> throw new AssertionError(type); // excluded by supports()
            }
        }
    }
}
