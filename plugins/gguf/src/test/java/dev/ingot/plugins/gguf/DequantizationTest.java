package dev.ingot.plugins.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.format.OpenOptions;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.mapping.TensorOp;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blocks written byte by byte from the block layouts (see {@link BlockDecoder}), opened as a GGUF
 * checkpoint and decoded through the mapper's declared kernel; the expected weights are worked out
 * by hand from the layout, never by our decoder.
 */
class DequantizationTest {

    @TempDir
    Path dir;

    private static final short HALF = 0x3800;  // f16 0.5
    private static final short QUARTER = 0x3400; // f16 0.25
    private static final short ONE = 0x3C00;   // f16 1.0

    /** Opens a file whose one tensor, {@code output_norm.weight}, has {@code ne = [elements]} of GGML type {@code typeId}. */
    private float[] decode(int typeId, int elements, byte[] blocks, Shape expectedNativeShape) throws IOException {
        Path file = TinyLlama.writer(elements)
                .rawTensor("output_norm.weight", typeId, new long[] {elements}, null, blocks)
                .write(dir.resolve("q" + typeId + ".gguf"));
        try (Checkpoint checkpoint = new GgufFormat().open(file, OpenOptions.defaults()); Arena arena = Arena.ofConfined()) {
            TensorInfo info = checkpoint.tensors().list().getFirst();
            assertThat(info).isEqualTo(new TensorInfo("output_norm.weight", DType.U8, expectedNativeShape));
            TensorMapping.Mapped mapped = (TensorMapping.Mapped) checkpoint.mapper().map(info);
            return DeclaredOps.apply(checkpoint.tensors().read(info.name()), mapped.targets().getFirst(), arena);
        }
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void q8_0IsScaleTimesSignedByte() throws IOException {
        ByteBuffer blocks = le(2 * 34);
        blocks.putShort(HALF);
        for (int i = 0; i < 32; i++) {
            blocks.put((byte) (i - 16));          // q = -16 .. 15
        }
        blocks.putShort(ONE);
        blocks.put((byte) 127).put((byte) -128);
        blocks.put(new byte[30]);
        float[] w = decode(8, 64, blocks.array(), Shape.of(2, 34));
        for (int i = 0; i < 32; i++) {
            assertThat(w[i]).as("w[%d]", i).isEqualTo((i - 16) * 0.5f);
        }
        assertThat(w[32]).isEqualTo(127f);
        assertThat(w[33]).isEqualTo(-128f);
        assertThat(w[34]).isZero();
    }

    @Test
    void q4_0LowNibblesAreTheFirstHalfAndHighNibblesTheSecond() throws IOException {
        ByteBuffer block = le(18);
        block.putShort(QUARTER);
        for (int j = 0; j < 16; j++) {
            block.put((byte) ((15 - j) << 4 | j)); // low nibble j, high nibble 15 - j
        }
        float[] w = decode(2, 32, block.array(), Shape.of(1, 18));
        for (int j = 0; j < 16; j++) {
            assertThat(w[j]).as("w[%d]", j).isEqualTo((j - 8) * 0.25f);           // (nibble - 8) * d
            assertThat(w[j + 16]).as("w[%d]", j + 16).isEqualTo((7 - j) * 0.25f); // (15 - j - 8) * d
        }
    }

    /**
     * d = 1, dmin = 0.5. Scale bytes a = [0x41, 2, 3, 4], b = [0, 1, 2, 3], c = [0x21, 0x02, 0, 0]:
     * sub-blocks 0..3 have scales 1, 2, 3, 4 and mins 0, 1, 2, 3; sub-block 4 has scale
     * (0x21 & 15) | (0x41 >> 6) << 4 = 17 and min 0x21 >> 4 = 2; sub-block 5 scale 2, min 0; 6 and 7 zero.
     * Every quant byte is 0x53: even sub-blocks (low nibbles) read 3, odd ones (high nibbles) read 5.
     */
    @Test
    void q4KSubBlocksUseTheirSixBitScalesAndMins() throws IOException {
        ByteBuffer block = le(144);
        block.putShort(ONE).putShort(HALF);
        block.put(new byte[] {0x41, 2, 3, 4, 0, 1, 2, 3, 0x21, 0x02, 0, 0});
        for (int i = 0; i < 128; i++) {
            block.put((byte) 0x53);
        }
        float[] w = decode(12, 256, block.array(), Shape.of(1, 144));
        float[] expected = {
            1 * 3 - 0.5f * 0,   // 3
            2 * 5 - 0.5f * 1,   // 9.5
            3 * 3 - 0.5f * 2,   // 8
            4 * 5 - 0.5f * 3,   // 18.5
            17 * 3 - 0.5f * 2,  // 50
            2 * 5 - 0.5f * 0,   // 10
            0, 0};
        for (int i = 0; i < 256; i++) {
            assertThat(w[i]).as("w[%d]", i).isEqualTo(expected[i / 32]);
        }
    }

    /**
     * d = 0.5; scales[k] = k - 8, one per 16 weights. Every ql byte is 0x21 (low nibble 1, high 2) and
     * every qh byte 0xE4 (2-bit fields 0, 1, 2, 3 from bit 0 up). In each half of 128, weights 0..63
     * take low nibbles and 64..127 high ones; weights 32k..32k+31 take qh field k. So q - 32 is
     * 1 - 32 = -31, (1 | 16) - 32 = -15, (2 | 32) - 32 = 2, (2 | 48) - 32 = 18 for the four quarters.
     */
    @Test
    void q6KCombinesLowNibblesHighBitsAndSignedScales() throws IOException {
        ByteBuffer block = le(210);
        for (int i = 0; i < 128; i++) {
            block.put((byte) 0x21);
        }
        for (int i = 0; i < 64; i++) {
            block.put((byte) 0xE4);
        }
        for (int k = 0; k < 16; k++) {
            block.put((byte) (k - 8));
        }
        block.putShort(HALF);
        float[] w = decode(14, 256, block.array(), Shape.of(1, 210));
        int[] quarter = {-31, -15, 2, 18};
        for (int i = 0; i < 256; i++) {
            float expected = 0.5f * (i / 16 - 8) * quarter[(i % 128) / 32];
            assertThat(w[i]).as("w[%d]", i).isEqualTo(expected);
        }
    }

    /** Live updates arrive as tensor descriptions only: the block length alone tells the mapper what to do. */
    @Test
    void theMapperReadsTheTypeFromTheBlockLength() {
        ModelSpec spec = ModelSpec.builder().hiddenSize(256).layers(1).heads(4)
                .ffnSize(256).vocabSize(2).maxPositions(8).build();
        GgufFormat format = new GgufFormat();
        TensorMapping q4k = format.mapper(spec).map(TensorInfo.of("blk.0.attn_q.weight", DType.U8, 256, 1, 144));
        assertThat(q4k).isInstanceOf(TensorMapping.Mapped.class);
        TensorMapping.Target target = ((TensorMapping.Mapped) q4k).targets().getFirst();
        assertThat(target.ops().getFirst().apply(TensorInfo.of("x", DType.U8, 256, 1, 144)))
                .isEqualTo(TensorInfo.of("x", DType.F32, 256, 256));
        assertThat(target.ops().get(1)).isEqualTo(new TensorOp.RopeInterleavedToHalves(4));
        assertThat(format.mapper(spec).map(TensorInfo.of("blk.0.attn_q.weight", DType.U8, 256, 1, 176)))
                .isEqualTo(TensorMapping.unknown("raw Q5_K blocks; this plugin decodes [F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K]"));
    }
}
