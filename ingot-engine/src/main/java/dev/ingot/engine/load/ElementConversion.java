package dev.ingot.engine.load;

import dev.ingot.spi.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Converts floating-point elements between F64, F32, F16 and BF16 (round to nearest even). */
public final class ElementConversion {

    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ElementConversion() {}

    public static boolean supports(DType type) {
        return type == DType.F64 || type == DType.F32 || type == DType.F16 || type == DType.BF16;
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
