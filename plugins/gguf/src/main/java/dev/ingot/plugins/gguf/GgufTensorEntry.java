package dev.ingot.plugins.gguf;

import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.TensorInfo;
import java.util.Arrays;
import java.util.Optional;

/**
 * One tensor info of a GGUF file. {@code ne} is GGML's dimension order, innermost first: a matrix of
 * {@code [out, in]} rows (row-major, as the engine and Hugging Face write it) has {@code ne = [in, out]},
 * so the bytes need no transpose, only the dimensions reversed.
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

    /** The tensor as the engine sees it, in its stored type (quantized blocks included); empty for types the engine lacks. */
    Optional<TensorInfo> info() {
        return type.dtype().map(dtype -> new TensorInfo(name, dtype, new Shape(rowMajorDims())));
    }

    @Override
    public String toString() {
        return name + " " + type + Arrays.toString(rowMajorDims());
    }
}
