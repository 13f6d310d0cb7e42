package dev.ingot.testkit.reference;

import java.nio.ByteBuffer;

/** The safetensors element types the checkpoint writer can emit, with the {@code torch_dtype} name config.json uses. */
public enum DType {
    F32(4, "float32"),
    /** bfloat16: the top 16 bits of a float32, rounded to nearest even (as torch's float-to-bfloat16 conversion). */
    BF16(2, "bfloat16"),
    /** IEEE half precision, rounded to nearest even (Float.floatToFloat16). */
    F16(2, "float16");

    private final int bytes;
    private final String torchName;

    DType(int bytes, String torchName) {
        this.bytes = bytes;
        this.torchName = torchName;
    }

    public int bytes() {
        return bytes;
    }

    public String torchName() {
        return torchName;
    }

    /** The float this type actually stores for {@code v}: what a reader gets back after widening to float32. */
    public float round(float v) {
        return switch (this) {
            case F32 -> v;
            case BF16 -> Float.intBitsToFloat(bf16Bits(v) << 16);
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(v));
        };
    }

    /** Appends {@code v} to a little-endian buffer. */
    void put(ByteBuffer out, float v) {
        switch (this) {
            case F32 -> out.putFloat(v);
            case BF16 -> out.putShort((short) bf16Bits(v));
            case F16 -> out.putShort(Float.floatToFloat16(v));
        }
    }

    private static int bf16Bits(float v) {
        if (Float.isNaN(v)) {
            return 0x7FC0;
        }
        int bits = Float.floatToRawIntBits(v);
        int lsb = (bits >>> 16) & 1;
        return (bits + 0x7FFF + lsb) >>> 16;
    }
}
