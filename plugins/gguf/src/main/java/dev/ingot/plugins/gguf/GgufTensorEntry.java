package dev.ingot.plugins.gguf;

import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.TensorInfo;
import java.util.Arrays;

/**
 * One tensor info of a GGUF file. {@code ne} is GGML's dimension order, innermost first: a matrix of
 * {@code [out, in]} rows (row-major, as the engine and Hugging Face write it) has {@code ne = [in, out]}.
 *
 * @param offset    where the data starts, relative to the file's tensor data section
 * @param byteSize  bytes of data by the type's block arithmetic (checked not to overflow when read)
 */
record GgufTensorEntry(String name, long[] ne, GgmlType type, long offset, long byteSize) {

    GgufTensorEntry {
        ne = ne.clone();
    }

    @Override
    public long[] ne() {
        return ne.clone();
    }

    /** Outermost first, as {@link Shape} wants it: {@code ne} reversed. */
    long[] rowMajorDims() {
        long[] dims = new long[ne.length];
        for (int i = 0; i < ne.length; i++) {
            dims[i] = ne[ne.length - 1 - i];
        }
        return dims;
    }

    /**
     * How the tensor appears in the native tensor list. Plain types are themselves; a block-quantized
     * tensor becomes its raw bytes as {@code U8[outer dims..., blocks per row, block bytes]}, so its
     * description carries both the logical shape and (through the block length, unique per type) the
     * quantization, and {@link GgufWeightMapper} can decode it without knowing the file.
     */
    TensorInfo nativeInfo() {
        long[] dims = rowMajorDims();
        return switch (type) {
            case F32 -> new TensorInfo(name, DType.F32, new Shape(dims));
            case F16 -> new TensorInfo(name, DType.F16, new Shape(dims));
            case BF16 -> new TensorInfo(name, DType.BF16, new Shape(dims));
            case F64 -> new TensorInfo(name, DType.F64, new Shape(dims));
            case I8 -> new TensorInfo(name, DType.I8, new Shape(dims));
            case I16 -> new TensorInfo(name, DType.I16, new Shape(dims));
            case I32 -> new TensorInfo(name, DType.I32, new Shape(dims));
            case I64 -> new TensorInfo(name, DType.I64, new Shape(dims));
            case Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K -> {
                long[] blocked = Arrays.copyOf(dims, dims.length + 1);
                blocked[dims.length - 1] = ne[0] / type.blockElements();
                blocked[dims.length] = type.blockBytes();
                yield new TensorInfo(name, DType.U8, new Shape(blocked));
            }
        };
    }

    @Override
    public String toString() {
        return name + " " + type + Arrays.toString(rowMajorDims());
    }
}
