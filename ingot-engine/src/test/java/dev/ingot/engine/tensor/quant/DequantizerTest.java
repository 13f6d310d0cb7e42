package dev.ingot.engine.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Blocks written byte by byte from the block layouts (see {@link GgmlBlocks}); the expected weights
 * are worked out by hand from the layout, never by the decoder under test.
 */
class DequantizerTest {

    private static final short HALF = 0x3800;    // f16 0.5
    private static final short QUARTER = 0x3400; // f16 0.25
    private static final short ONE = 0x3C00;     // f16 1.0

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static float[] decode(DType type, int elements, byte[] blocks) {
        MemorySegment out = MemorySegment.ofArray(new float[elements]);
        Dequantizer.toF32(MemorySegment.ofArray(blocks), type, out, elements);
        return out.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void q8_0IsScaleTimesSignedByte() {
        ByteBuffer blocks = le(2 * 34);
        blocks.putShort(HALF);
        for (int i = 0; i < 32; i++) {
            blocks.put((byte) (i - 16));          // q = -16 .. 15
        }
        blocks.putShort(ONE);
        blocks.put((byte) 127).put((byte) -128);
        blocks.put(new byte[30]);
        float[] w = decode(DType.Q8_0, 64, blocks.array());
        for (int i = 0; i < 32; i++) {
            assertThat(w[i]).as("w[%d]", i).isEqualTo((i - 16) * 0.5f);
        }
        assertThat(w[32]).isEqualTo(127f);
        assertThat(w[33]).isEqualTo(-128f);
        assertThat(w[34]).isZero();
    }

    @Test
    void q4_0LowNibblesAreTheFirstHalfAndHighNibblesTheSecond() {
        ByteBuffer block = le(18);
        block.putShort(QUARTER);
        for (int j = 0; j < 16; j++) {
            block.put((byte) ((15 - j) << 4 | j)); // low nibble j, high nibble 15 - j
        }
        float[] w = decode(DType.Q4_0, 32, block.array());
        for (int j = 0; j < 16; j++) {
            assertThat(w[j]).as("w[%d]", j).isEqualTo((j - 8) * 0.25f);           // (nibble - 8) * d
            assertThat(w[j + 16]).as("w[%d]", j + 16).isEqualTo((7 - j) * 0.25f); // (15 - j - 8) * d
        }
    }

    /**
     * Q5_0's fifth bits, as ggml's {@code dequantize_row_q5_0} defines them: bit {@code i} of the
     * little-endian {@code qh} belongs to weight {@code i}, whose nibble is the low one of byte {@code i}
     * for {@code i < 16} and the high one of byte {@code i - 16} after. The qh bytes 0x01 0x02 0x00 0x80 set
     * bits 0, 9 and 31 only; byte {@code j} holds nibbles {@code j} (low) and {@code 15 - j} (high).
     */
    @Test
    void q5_0TopsEachNibbleUpWithItsBitOfQhAndCentresOnSixteen() {
        ByteBuffer block = le(22);
        block.putShort(HALF);
        block.put(new byte[] {0x01, 0x02, 0x00, (byte) 0x80});
        for (int j = 0; j < 16; j++) {
            block.put((byte) ((15 - j) << 4 | j));
        }
        float[] w = decode(DType.Q5_0, 32, block.array());
        // worked by hand: w = ((nibble | bit << 4) - 16) * 0.5
        assertThat(w[0]).isEqualTo(0f);      // (0 | 16) - 16
        assertThat(w[1]).isEqualTo(-7.5f);   // 1 - 16
        assertThat(w[9]).isEqualTo(4.5f);    // (9 | 16) - 16
        assertThat(w[15]).isEqualTo(-0.5f);  // 15 - 16
        assertThat(w[16]).isEqualTo(-0.5f);  // high nibble of byte 0: 15 - 16
        assertThat(w[25]).isEqualTo(-5f);    // high nibble of byte 9: 6 - 16; bit 25 is clear
        assertThat(w[31]).isEqualTo(0f);     // high nibble of byte 15: (0 | 16) - 16
        int qh = 1 | 1 << 9 | 1 << 31;
        for (int i = 0; i < 32; i++) {
            int nibble = i < 16 ? i : 15 - (i - 16);
            int q = nibble | ((qh >>> i) & 1) << 4;
            assertThat(w[i]).as("w[%d]", i).isEqualTo((q - 16) * 0.5f);
        }
    }

    /**
     * Q5_1: d = 0.25 and m = -1 (f16 0xBC00) after the scale, then qh and nibbles as Q5_0, unsigned:
     * {@code w = q * d + m}. The qh bytes 0xFF 0x00 0x00 0x01 set bits 0..7 and 24. Two blocks, so the
     * second (every byte zero but m = 2) shows the 24-byte stride.
     */
    @Test
    void q5_1IsUnsignedFiveBitsTimesScalePlusOffset() {
        ByteBuffer blocks = le(2 * 24);
        blocks.putShort(QUARTER).putShort((short) 0xBC00);
        blocks.put(new byte[] {(byte) 0xFF, 0x00, 0x00, 0x01});
        for (int j = 0; j < 16; j++) {
            blocks.put((byte) ((15 - j) << 4 | j));
        }
        blocks.putShort(ONE).putShort((short) 0x4000); // d = 1, m = 2
        blocks.put(new byte[20]);
        float[] w = decode(DType.Q5_1, 64, blocks.array());
        assertThat(w[0]).isEqualTo(3f);      // (0 | 16) * 0.25 - 1
        assertThat(w[8]).isEqualTo(1f);      // 8 * 0.25 - 1, bit 8 clear
        assertThat(w[24]).isEqualTo(4.75f);  // high nibble of byte 8: (7 | 16) * 0.25 - 1
        assertThat(w[31]).isEqualTo(-1f);    // 0 * 0.25 - 1
        int qh = 0xFF | 1 << 24;
        for (int i = 0; i < 32; i++) {
            int nibble = i < 16 ? i : 15 - (i - 16);
            int q = nibble | ((qh >>> i) & 1) << 4;
            assertThat(w[i]).as("w[%d]", i).isEqualTo(q * 0.25f - 1f);
        }
        for (int i = 32; i < 64; i++) {
            assertThat(w[i]).as("w[%d]", i).isEqualTo(2f);
        }
    }

    /**
     * d = 1, dmin = 0.5. Scale bytes a = [0x41, 2, 3, 4], b = [0, 1, 2, 3], c = [0x21, 0x02, 0, 0]:
     * sub-blocks 0..3 have scales 1, 2, 3, 4 and mins 0, 1, 2, 3; sub-block 4 has scale
     * (0x21 & 15) | (0x41 >> 6) << 4 = 17 and min 0x21 >> 4 = 2; sub-block 5 scale 2, min 0; 6 and 7 zero.
     * Every quant byte is 0x53: even sub-blocks (low nibbles) read 3, odd ones (high nibbles) read 5.
     */
    @Test
    void q4KSubBlocksUseTheirSixBitScalesAndMins() {
        ByteBuffer block = le(144);
        block.putShort(ONE).putShort(HALF);
        block.put(new byte[] {0x41, 2, 3, 4, 0, 1, 2, 3, 0x21, 0x02, 0, 0});
        for (int i = 0; i < 128; i++) {
            block.put((byte) 0x53);
        }
        float[] w = decode(DType.Q4_K, 256, block.array());
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
    void q6KCombinesLowNibblesHighBitsAndSignedScales() {
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
        float[] w = decode(DType.Q6_K, 256, block.array());
        int[] quarter = {-31, -15, 2, 18};
        for (int i = 0; i < 256; i++) {
            float expected = 0.5f * (i / 16 - 8) * quarter[(i % 128) / 32];
            assertThat(w[i]).as("w[%d]", i).isEqualTo(expected);
        }
    }

    /** A prefix of whole blocks decodes alone: the engine may convert row by row. */
    @Test
    void decodesOnlyTheElementsAsked() {
        ByteBuffer blocks = le(2 * 34);
        blocks.putShort(ONE).put(new byte[32]).putShort(ONE);
        for (int i = 0; i < 32; i++) {
            blocks.put((byte) 3);
        }
        MemorySegment out = MemorySegment.ofArray(new float[64]);
        Dequantizer.toF32(MemorySegment.ofArray(blocks.array()).asSlice(34), DType.Q8_0, out, 32);
        assertThat(out.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 31)).isEqualTo(3f);
        assertThat(out.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 32)).isZero();
    }

    @Test
    void refusesWhatItCannotDecode() {
        MemorySegment src = MemorySegment.ofArray(new byte[34]);
        MemorySegment dst = MemorySegment.ofArray(new float[32]);
        assertThatThrownBy(() -> Dequantizer.toF32(src, DType.F16, dst, 32))
                .hasMessage("no GGML block decoder for F16; decodable: Q8_0, Q4_0, Q5_0, Q5_1, Q4_K, Q6_K");
        assertThatThrownBy(() -> Dequantizer.toF32(src, DType.Q8_0, dst, 30))
                .hasMessage("30 elements are not whole Q8_0 blocks of 32");
        assertThatThrownBy(() -> Dequantizer.toF32(src, DType.Q8_0, dst, 64))
                .hasMessage("64 Q8_0 elements need 68 source bytes and 256 float32 bytes, got 34 and 128");
        assertThatThrownBy(() -> Dequantizer.toF32(MemorySegment.ofArray(new byte[24]), DType.Q5_1, MemorySegment.ofArray(new float[64]), 64))
                .hasMessage("64 Q5_1 elements need 48 source bytes and 256 float32 bytes, got 24 and 256");
        assertThatThrownBy(() -> Dequantizer.toF32(MemorySegment.ofArray(new byte[22]), DType.Q5_0, dst, 16))
                .hasMessage("16 elements are not whole Q5_0 blocks of 32");
        assertThat(Dequantizer.supports(DType.Q4_K)).isTrue();
        assertThat(Dequantizer.supports(DType.Q5_0)).isTrue();
        assertThat(Dequantizer.supports(DType.Q5_1)).isTrue();
        assertThat(Dequantizer.supports(DType.BF16)).isFalse();
    }
}
