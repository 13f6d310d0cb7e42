package dev.ingot.engine.kv;

import java.util.Arrays;
import java.util.Locale;

/** How the paged KV cache stores each key and value element ({@code --kv-cache-dtype}). */
public enum KvDtype {
    /** Exact: a paged F32 cache gives the logits the activations would give anywhere else. */
    F32(Float.BYTES),
    /** Half the memory: the top 16 bits of each F32, rounded to nearest even. */
    BF16(Short.BYTES);

    private final int bytes;

    KvDtype(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** The dtype named {@code name} (case-insensitive), or an error that lists the names. */
    public static KvDtype parse(String name) {
        try {
            return valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown KV cache dtype '" + name + "'; known: "
                    + Arrays.stream(values()).map(d -> d.name().toLowerCase(Locale.ROOT)).toList());
        }
    }

    /** F32 to BF16 with round-to-nearest-even; a NaN stays a (quiet) NaN. */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }
}
