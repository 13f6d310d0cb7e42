package dev.ingot.tck.support;

import dev.ingot.engine.kernel.ScalarKernels;
import dev.ingot.spi.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.TreeMap;

/** Tensors as comparable values: their bytes, or their elements widened to float. */
public final class TensorValues {

    private TensorValues() {}

    public static byte[] bytes(Tensor t) {
        return t.data().toArray(ValueLayout.JAVA_BYTE);
    }

    public static float[] floats(Tensor t) {
        int n = Math.toIntExact(t.info().shape().elementCount());
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = ScalarKernels.weight(t.data(), t.info().dtype(), i);
        }
        return out;
    }

    /** Copies of every tensor's type, shape and bytes, so they outlive the memory they came from. */
    public static Map<String, Snapshot> snapshot(Map<String, Tensor> tensors) {
        Map<String, Snapshot> out = new TreeMap<>();
        tensors.forEach((name, t) -> out.put(name, new Snapshot(t.info().toString(), bytes(t))));
        return out;
    }

    /** A tensor's description and bytes. */
    public record Snapshot(String info, byte[] bytes) {
        public boolean sameAs(Snapshot other) {
            return info.equals(other.info) && java.util.Arrays.equals(bytes, other.bytes);
        }
    }

    /** The first element where two float arrays differ in bits, or -1. */
    public static int firstDifference(float[] a, float[] b) {
        if (a.length != b.length) {
            return 0;
        }
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                return i;
            }
        }
        return -1;
    }
}
