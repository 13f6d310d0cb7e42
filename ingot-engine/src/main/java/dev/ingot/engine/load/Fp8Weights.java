package dev.ingot.engine.load;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.model.Fp8Scaling;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * FP8 matrices with their scales, widened to F32: element {@code (r, c)} is its FP8 value times the
 * scale of its block — one scale for the tensor, one per row, or one per {@code blockRows x blockCols}
 * block as {@code quantization_config.weight_block_size} says (Hugging Face's fine-grained FP8, where
 * the scale tensor is named {@code _scale_inv} but multiplies: it is the inverse of the quantizer's scale).
 */
final class Fp8Weights {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Fp8Weights() {}

    static boolean isFp8(DType type) {
        return type == DType.F8_E4M3 || type == DType.F8_E5M2;
    }

    /** A scale tensor must be small floats; whether its shape fits its weight is checked when both are in. */
    static void checkScale(TensorInfo scale, String origin) throws CheckpointException {
        if (scale.dtype() != DType.F32 && scale.dtype() != DType.BF16 && scale.dtype() != DType.F16) {
            throw new CheckpointException(origin + ": FP8 scales '" + scale.name() + "' must be F32, BF16 or F16, got " + scale.dtype());
        }
        if (scale.shape().rank() > 2) {
            throw new CheckpointException(origin + ": FP8 scales '" + scale.name() + "' must have at most 2 dimensions, got "
                    + scale.shape());
        }
    }

    /** {@code weight} as F32 with {@code scale} applied ({@code scale} null: the values as stored). */
    static Tensor widen(Tensor weight, Tensor scale, Fp8Scaling scaling, Arena arena, String what) throws CheckpointException {
        long rows = weight.info().shape().dim(0);
        long cols = weight.info().shape().rank() > 1 ? weight.info().shape().dim(1) : 1;
        Blocks blocks = scale == null ? new Blocks(rows, cols, 1, 1) : blocks(weight, scale, scaling, rows, cols, what);
        MemorySegment out = arena.allocate(rows * cols * 4, 64);
        for (long r = 0; r < rows; r++) {
            for (long c = 0; c < cols; c++) {
                long index = r * cols + c;
                double value = ElementConversion.read(weight.data(), weight.info().dtype(), index);
                double factor = scale == null ? 1.0
                        : ElementConversion.read(scale.data(), scale.info().dtype(), (r / blocks.rows) * blocks.perRow + c / blocks.cols);
                out.setAtIndex(F32, index, (float) (value * factor));
            }
        }
        return new Tensor(new TensorInfo(weight.name(), DType.F32, weight.info().shape()), out);
    }

    /** Block geometry: {@code rows x cols} elements share a scale; {@code perRow} scales per block row. */
    private record Blocks(long rows, long cols, long perRow, long count) {}

    private static Blocks blocks(Tensor weight, Tensor scale, Fp8Scaling scaling, long rows, long cols, String what)
            throws CheckpointException {
        long n = scale.info().shape().elementCount();
        long scaleRows = scale.info().shape().rank() == 0 ? 1 : scale.info().shape().dim(0);
        long scaleCols = scale.info().shape().rank() < 2 ? 1 : scale.info().shape().dim(1);
        if (n == 1) {
            return new Blocks(rows, cols, 1, 1);
        }
        if (scaleRows == rows && scaleCols == 1) {
            return new Blocks(1, cols, 1, rows);
        }
        if (!scaling.isBlockwise()) {
            throw new CheckpointException(what + ": '" + scale.name() + "' " + scale.info().shape() + " scales blocks of '"
                    + weight.name() + "' " + weight.info().shape() + ", but the config has no quantization_config.weight_block_size");
        }
        long br = scaling.blockRows();
        long bc = scaling.blockCols();
        long wantRows = (rows + br - 1) / br;
        long wantCols = (cols + bc - 1) / bc;
        if (scaleRows != wantRows || scaleCols != wantCols) {
            throw new CheckpointException(what + ": '" + scale.name() + "' has shape " + scale.info().shape() + " but '"
                    + weight.name() + "' " + weight.info().shape() + " in " + br + "x" + bc + " blocks needs [" + wantRows + ", "
                    + wantCols + "]");
        }
        return new Blocks(br, bc, wantCols, wantRows * wantCols);
    }
}
