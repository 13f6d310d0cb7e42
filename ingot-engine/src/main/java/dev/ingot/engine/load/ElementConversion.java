package dev.ingot.engine.load;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Converts floating-point elements between F64, F32, F16 and BF16 (round to nearest even), and reads
 * FP8 (E4M3FN, E5M2) elements; block-quantized types are decoded by {@code tensor.quant.Dequantizer}.
 */
public final class ElementConversion {

    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ElementConversion() {}

    public static boolean supports(DType type) {
        return type == DType.F64 || type == DType.F32 || type == DType.F16 || type == DType.BF16;
    }

    /** Types this class (or the dequantizer) can read elements of, to convert them into a {@link #supports} type. */
    public static boolean canRead(DType type) {
        return supports(type) || type == DType.F8_E4M3 || type == DType.F8_E5M2 || type.isQuantized();
    }

    /** Converts {@code count} elements from {@code src} ({@code from}) into {@code dst} ({@code to}). */
    public static void convert(MemorySegment src, DType from, MemorySegment dst, DType to, long count) {
        for (long i = 0; i < count; i++) {
            write(dst, to, i, read(src, from, i));
        }
    }

    public static double read(MemorySegment src, DType type, long index) {
        return switch (type) {
            case F64 -> src.getAtIndex(F64, index);
            case F32 -> src.getAtIndex(F32, index);
            case F16 -> Float.float16ToFloat(src.getAtIndex(U16, index));
            case BF16 -> Float.intBitsToFloat((src.getAtIndex(U16, index) & 0xffff) << 16);
            case F8_E5M2 -> Float.float16ToFloat((short) ((src.get(ValueLayout.JAVA_BYTE, index) & 0xff) << 8));
            case F8_E4M3 -> e4m3(src.get(ValueLayout.JAVA_BYTE, index));
            default -> throw new IllegalArgumentException("cannot convert from " + type);
        };
    }

    public static void write(MemorySegment dst, DType type, long index, double value) {
        switch (type) {
            case F64 -> dst.setAtIndex(F64, index, value);
            case F32 -> dst.setAtIndex(F32, index, (float) value);
            case F16 -> dst.setAtIndex(U16, index, Float.floatToFloat16((float) value));
            case BF16 -> dst.setAtIndex(U16, index, toBf16((float) value));
            default -> throw new IllegalArgumentException("cannot convert to " + type);
        }
    }

    /**
     * OCP FP8 E4M3FN: 1 sign, 4 exponent (bias 7), 3 mantissa bits; no infinities, {@code S.1111.111} is
     * NaN, exponent 0 is subnormal ({@code m/8 * 2^-6}). E5M2 needs no such code: it is the top byte of an F16.
     */
    static double e4m3(byte bits) {
        int b = bits & 0xff;
        int exponent = (b >>> 3) & 0xf;
        int mantissa = b & 0x7;
        double sign = (b & 0x80) != 0 ? -1.0 : 1.0;
        if (exponent == 0xf && mantissa == 0x7) {
            return Double.NaN;
        }
        if (exponent == 0) {
            return sign * (mantissa / 8.0) * Math.scalb(1.0, -6);
        }
        return sign * (1.0 + mantissa / 8.0) * Math.scalb(1.0, exponent - 7);
    }

    /** F32 to BF16 with round-to-nearest-even; NaN stays a (quiet) NaN. */
    public static short toBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
