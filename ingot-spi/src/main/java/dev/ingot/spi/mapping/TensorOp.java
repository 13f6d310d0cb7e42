package dev.ingot.spi.mapping;

import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.lang.foreign.MemorySegment;

/**
 * One step of turning a native tensor into a canonical one. The engine implements these; a format
 * only names them. Each knows the shape and type it produces, so a mapping can be checked before any
 * data is read.
 */
public sealed interface TensorOp {

    /** The type and shape this step produces from {@code input} (name unchanged). */
    TensorInfo apply(TensorInfo input);

    /** Swaps the two dimensions of a matrix: {@code [r, c] -> [c, r]}. */
    record Transpose() implements TensorOp {
        @Override
        public TensorInfo apply(TensorInfo in) {
            requireRank(in, 2, this);
            if (in.dtype().isQuantized()) {
                throw new IllegalArgumentException(in.name() + ": a " + in.dtype()
                        + " matrix cannot be transposed: its blocks run along rows");
            }
            return new TensorInfo(in.name(), in.dtype(), Shape.of(in.shape().dim(1), in.shape().dim(0)));
        }
    }

    /**
     * Reorders the rows of a q or k projection (or its bias) from the interleaved RoPE layout (Meta,
     * llama2.c, Mistral, llama.cpp's Llama: pairs {@code (2i, 2i+1)} rotate together) to the rotate-half
     * layout (Hugging Face: rows {@code i} and {@code i + headDim/2} rotate together), head by head.
     * Both the head count and the head size are given, so a GQA k tensor with the wrong count of heads
     * is refused instead of being silently permuted with the query's head size.
     */
    record RopeInterleavedToHalves(int heads, int headDim) implements TensorOp {
        @Override
        public TensorInfo apply(TensorInfo in) {
            if (in.shape().rank() < 1 || in.shape().rank() > 2) {
                throw new IllegalArgumentException(in.name() + ": " + getClass().getSimpleName()
                        + " needs a matrix or a bias vector, got shape " + in.shape());
            }
            long rows = in.shape().dim(0);
            if (heads <= 0 || headDim <= 0 || headDim % 2 != 0 || rows != (long) heads * headDim) {
                throw new IllegalArgumentException(in.name() + ": " + rows + " rows are not " + heads
                        + " heads of " + headDim + " (even) rows each");
            }
            return in;
        }
    }

    /** Rows {@code [start, start + count)} of the outermost dimension, e.g. one part of a fused QKV. */
    record SliceRows(long start, long count) implements TensorOp {
        @Override
        public TensorInfo apply(TensorInfo in) {
            if (in.shape().rank() < 1 || start < 0 || count <= 0 || start + count > in.shape().dim(0)) {
                throw new IllegalArgumentException(in.name() + ": rows [" + start + ", " + (start + count)
                        + ") do not fit shape " + in.shape());
            }
            long[] dims = in.shape().dims();
            dims[0] = count;
            return new TensorInfo(in.name(), in.dtype(), new Shape(dims));
        }
    }

    /** Same bytes, new dimensions (element count must not change). */
    record Reshape(Shape shape) implements TensorOp {
        @Override
        public TensorInfo apply(TensorInfo in) {
            if (in.shape().elementCount() != shape.elementCount()) {
                throw new IllegalArgumentException(in.name() + ": cannot reshape " + in.shape() + " to " + shape);
            }
            return new TensorInfo(in.name(), in.dtype(), shape);
        }
    }

    /**
     * Converts floating-point elements to another type: between F64, F32, F16 and BF16, and from FP8
     * or a GGML quantized type to one of those (dequantizing as the type's definition says), and from
     * those to Q8_0 or Q4_0 (quantizing as ggml's reference quantizer does; rows must be whole blocks).
     */
    record Convert(DType to) implements TensorOp {
        @Override
        public TensorInfo apply(TensorInfo in) {
            if (!in.dtype().isFloatingPoint() || !to.isFloatingPoint()
                    || (to.isQuantized() && in.shape().dim(in.shape().rank() - 1) % to.blockElements() != 0)) {
                throw new IllegalArgumentException(in.name() + ": cannot convert " + in.dtype() + " to " + to);
            }
            return new TensorInfo(in.name(), to, in.shape());
        }
    }

    /**
     * Anything else, such as dequantizing a block format: the plugin's kernel writes the output
     * bytes (little-endian, row-major) into a segment the engine allocates.
     */
    record Custom(String description, DType outputType, Shape outputShape, Kernel kernel) implements TensorOp {
        @Override
        public TensorInfo apply(TensorInfo in) {
            return new TensorInfo(in.name(), outputType, outputShape);
        }
    }

    /** The body of a {@link Custom} step. {@code output} has exactly the declared size. */
    @FunctionalInterface
    interface Kernel {
        void apply(Tensor input, MemorySegment output);
    }

    private static void requireRank(TensorInfo in, int rank, TensorOp op) {
        if (in.shape().rank() != rank) {
            throw new IllegalArgumentException(in.name() + ": " + op.getClass().getSimpleName()
                    + " needs a rank-" + rank + " tensor, got shape " + in.shape());
        }
    }
}
