package dev.ingot.engine.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.mapping.TensorOp;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TensorTransformerTest {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    /** A [rows, cols] F32 tensor whose element (r, c) is r * 100 + c, so positions can be read back. */
    private Tensor indexed(int rows, int cols) {
        MemorySegment data = arena.allocate((long) rows * cols * 4);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                data.setAtIndex(F32, (long) r * cols + c, r * 100 + c);
            }
        }
        return new Tensor(TensorInfo.of("w", DType.F32, rows, cols), data);
    }

    private static float at(Tensor t, int r, int c) {
        return t.data().getAtIndex(F32, r * t.info().shape().dim(1) + c);
    }

    @Test
    void ropePermutationFollowsHuggingFacesConversionFormula() throws Exception {
        // transformers' convert_llama_weights_to_hf.py: w.view(heads, dim1 / heads / 2, 2, dim2).transpose(1, 2)
        // so the new row (h, c, i) holds the old row (h, i, c): new = h*hd + c*hd/2 + i, old = h*hd + 2*i + c.
        int heads = 2;
        int headDim = 4;
        Tensor in = indexed(heads * headDim, 3);
        Tensor out = TensorTransformer.apply(in, List.of(new TensorOp.RopeInterleavedToHalves(heads, headDim)), "q", arena);
        int[] expectedOldRowForNewRow = {0, 2, 1, 3, 4, 6, 5, 7};
        for (int newRow = 0; newRow < 8; newRow++) {
            assertThat(at(out, newRow, 1)).isEqualTo(expectedOldRowForNewRow[newRow] * 100 + 1);
        }
        assertThat(out.name()).isEqualTo("q");
    }

    @Test
    void transposeSwapsRowsAndColumns() throws Exception {
        Tensor out = TensorTransformer.apply(indexed(2, 3), List.of(new TensorOp.Transpose()), "t", arena);
        assertThat(out.info().shape()).isEqualTo(Shape.of(3, 2));
        assertThat(at(out, 2, 1)).isEqualTo(102f);
        assertThat(at(out, 0, 1)).isEqualTo(100f);
    }

    @Test
    void sliceRowsIsAViewOfTheSource() throws Exception {
        Tensor in = indexed(6, 2);
        Tensor out = TensorTransformer.apply(in, List.of(new TensorOp.SliceRows(2, 3)), "v", arena);
        assertThat(out.info().shape()).isEqualTo(Shape.of(3, 2));
        assertThat(at(out, 0, 0)).isEqualTo(200f);
        in.data().setAtIndex(F32, 4, 42f);
        assertThat(at(out, 0, 0)).as("zero copy: a view sees writes to the source").isEqualTo(42f);
    }

    @Test
    void convertToBf16RoundsToNearestEven() throws Exception {
        MemorySegment data = arena.allocate(8);
        // 1 + 2^-8 lies exactly between two BF16 values (1 and 1 + 2^-7): ties go to the even mantissa, 1.0.
        data.setAtIndex(F32, 0, 1f + 0x1p-8f);
        // 1 + 3 * 2^-8 lies between 1 + 2^-7 and 1 + 2^-6: ties to even gives 1 + 2^-6.
        data.setAtIndex(F32, 1, 1f + 3 * 0x1p-8f);
        Tensor in = new Tensor(TensorInfo.of("n", DType.F32, 2), data);
        Tensor out = TensorTransformer.apply(in, List.of(new TensorOp.Convert(DType.BF16)), "n", arena);
        assertThat(ElementConversion.read(out.data(), DType.BF16, 0)).isEqualTo(1.0);
        assertThat(ElementConversion.read(out.data(), DType.BF16, 1)).isEqualTo(1 + 0x1p-6);
    }

    @Test
    void aSliceOutsideTheTensorIsAClearError() {
        assertThatThrownBy(() -> TensorTransformer.apply(indexed(4, 2), List.of(new TensorOp.SliceRows(3, 2)), "k", arena))
                .isInstanceOf(CheckpointException.class)
                .hasMessage("w: rows [3, 5) do not fit shape [4, 2]");
    }

    @Test
    void aFailingCustomKernelNamesTheStep() {
        TensorOp boom = new TensorOp.Custom("dequantize q4", DType.F32, Shape.of(4, 2), (in, out) -> {
            throw new IllegalStateException("bad block");
        });
        assertThatThrownBy(() -> TensorTransformer.apply(indexed(4, 2), List.of(boom), "x", arena))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("custom step 'dequantize q4' failed")
                .hasMessageContaining("bad block");
    }

    @Test
    void convertingAQ8TensorToF32DecodesItAsTheDequantizerDoes() throws Exception {
        // two rows of 64: four Q8_0 blocks, each an F16 scale and 32 signed bytes
        int blocks = 4;
        java.lang.foreign.MemorySegment data = arena.allocate(blocks * 34L);
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        for (int b = 0; b < blocks; b++) {
            data.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), b * 34L,
                    Float.floatToFloat16(0.01f * (b + 1)));
            for (int j = 0; j < 32; j++) {
                data.set(java.lang.foreign.ValueLayout.JAVA_BYTE, b * 34L + 2 + j, (byte) random.nextInt(-128, 128));
            }
        }
        Tensor q8 = new Tensor(TensorInfo.of("w", DType.Q8_0, 2, 64), data);

        Tensor out = TensorTransformer.apply(q8, List.of(new TensorOp.Convert(DType.F32)), "model.w", arena);

        assertThat(out.info()).isEqualTo(TensorInfo.of("model.w", DType.F32, 2, 64));
        java.lang.foreign.MemorySegment expected = arena.allocate(128 * 4L);
        dev.ingot.engine.tensor.quant.Dequantizer.toF32(data, DType.Q8_0, expected, 128);
        assertThat(out.data().mismatch(expected)).isEqualTo(-1L);
        // and by the definition: element j of block b is scale_b * q_bj
        float scale = Float.float16ToFloat(Float.floatToFloat16(0.03f));
        byte quant = data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 2 * 34L + 2 + 5);
        assertThat(out.data().getAtIndex(F32, 64 + 5)).isEqualTo(scale * quant);
    }
}
