package dev.ingot.engine.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * FP8 decoding against values worked out by hand from the OCP 8-bit floating point specification:
 * E4M3 (bias 7, no infinities, S.1111.111 is NaN) and E5M2 (bias 15, IEEE-like infinities and NaNs).
 */
class ElementConversionTest {

    private static double e4m3(int bits) {
        return ElementConversion.read(MemorySegment.ofArray(new byte[] {(byte) bits}), DType.F8_E4M3, 0);
    }

    private static double e5m2(int bits) {
        return ElementConversion.read(MemorySegment.ofArray(new byte[] {(byte) bits}), DType.F8_E5M2, 0);
    }

    @Test
    void e4m3() {
        assertThat(e4m3(0x38)).isEqualTo(1.0);            // 0 0111 000: 2^(7-7)
        assertThat(e4m3(0xB8)).isEqualTo(-1.0);
        assertThat(e4m3(0x40)).isEqualTo(2.0);            // 0 1000 000
        assertThat(e4m3(0x3C)).isEqualTo(1.5);            // 0 0111 100: 1 + 4/8
        assertThat(e4m3(0x7E)).isEqualTo(448.0);          // 0 1111 110: 1.75 * 2^8, the largest normal
        assertThat(e4m3(0x08)).isEqualTo(0.015625);       // 0 0001 000: 2^-6, the smallest normal
        assertThat(e4m3(0x01)).isEqualTo(0.001953125);    // 0 0000 001: 1/8 * 2^-6 = 2^-9, the smallest subnormal
        assertThat(e4m3(0x07)).isEqualTo(0.013671875);    // 0 0000 111: 7/8 * 2^-6
        assertThat(e4m3(0x00)).isEqualTo(0.0);
        assertThat(Double.doubleToRawLongBits(e4m3(0x80))).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(e4m3(0x78)).isEqualTo(256.0);          // 0 1111 000 is a number in E4M3FN, not infinity
        assertThat(e4m3(0x7F)).isNaN();
        assertThat(e4m3(0xFF)).isNaN();
    }

    @Test
    void e5m2() {
        assertThat(e5m2(0x3C)).isEqualTo(1.0);            // 0 01111 00: 2^(15-15)
        assertThat(e5m2(0xBC)).isEqualTo(-1.0);
        assertThat(e5m2(0x3E)).isEqualTo(1.5);            // 0 01111 10
        assertThat(e5m2(0x7B)).isEqualTo(57344.0);        // 0 11110 11: 1.75 * 2^15, the largest normal
        assertThat(e5m2(0x04)).isEqualTo(Math.scalb(1.0, -14)); // 0 00001 00: the smallest normal
        assertThat(e5m2(0x01)).isEqualTo(Math.scalb(1.0, -16)); // 0 00000 01: 1/4 * 2^-14, the smallest subnormal
        assertThat(e5m2(0x03)).isEqualTo(0.75 * Math.scalb(1.0, -14));
        assertThat(e5m2(0x7C)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(e5m2(0xFC)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(e5m2(0x7D)).isNaN();
        assertThat(e5m2(0x7F)).isNaN();
    }

    @Test
    void fp8ConvertsToF32ThroughConvert() {
        MemorySegment src = MemorySegment.ofArray(new byte[] {0x38, (byte) 0xC0, 0x7E});
        MemorySegment dst = MemorySegment.ofArray(new float[3]);

        ElementConversion.convert(src, DType.F8_E4M3, dst, DType.F32, 3);

        assertThat(dst.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT)).containsExactly(1f, -2f, 448f);
    }
}
