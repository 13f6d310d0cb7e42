package dev.ingot.plugins.gguf;

import dev.ingot.engine.tensor.quant.Dequantizer;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.mapping.TensorOp;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Carries out the ops a mapper declares, as the engine would, so tests can see the canonical values:
 * the row permutation is our own second implementation (Hugging Face's convention: canonical row
 * {@code r < half} of a head is native row {@code 2r}, row {@code half + r} is native row {@code 2r + 1};
 * rows move whole, so quantized rows move as their blocks), and quantized data is decoded at the end
 * with the engine's {@link Dequantizer}.
 */
final class DeclaredOps {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private DeclaredOps() {}

    /** The canonical tensor's values as floats, after every op of {@code target}. */
    static float[] apply(Tensor nativeTensor, TensorMapping.Target target, Arena arena) {
        Tensor current = nativeTensor;
        for (TensorOp op : target.ops()) {
            TensorInfo out = op.apply(current.info());
            current = switch (op) {
                case TensorOp.RopeInterleavedToHalves(int heads, int headDim) ->
                        new Tensor(out, interleavedToHalves(current, heads, headDim, arena));
                default -> throw new AssertionError("the GGUF mapper declares no " + op);
            };
        }
        return floats(current, arena);
    }

    static float[] floats(Tensor tensor) {
        try (Arena arena = Arena.ofConfined()) {
            return floats(tensor, arena);
        }
    }

    private static float[] floats(Tensor tensor, Arena arena) {
        int n = Math.toIntExact(tensor.info().shape().elementCount());
        if (tensor.info().dtype().isQuantized()) {
            MemorySegment f32 = arena.allocate((long) n * Float.BYTES, 64);
            Dequantizer.toF32(tensor.data(), tensor.info().dtype(), f32, n);
            return f32.toArray(F32);
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (tensor.info().dtype()) {
                case F32 -> tensor.data().get(F32, 4L * i);
                case F16 -> Float.float16ToFloat(tensor.data().get(F16, 2L * i));
                case BF16 -> Float.intBitsToFloat(tensor.data().get(F16, 2L * i) << 16);
                default -> throw new AssertionError("not a float tensor: " + tensor.info());
            };
        }
        return out;
    }

    private static MemorySegment interleavedToHalves(Tensor in, int heads, int headDim, Arena arena) {
        long rowBytes = in.info().rowBytes();
        if (in.info().shape().rank() == 1) {
            rowBytes = in.info().byteSize() / in.info().shape().dim(0); // a bias: one element per row
        }
        long half = headDim / 2;
        MemorySegment out = arena.allocate(in.info().byteSize(), 64);
        for (long h = 0; h < heads; h++) {
            for (long r = 0; r < headDim; r++) {
                long source = r < half ? 2 * r : 2 * (r - half) + 1;
                MemorySegment.copy(in.data(), (h * headDim + source) * rowBytes, out, (h * headDim + r) * rowBytes, rowBytes);
            }
        }
        return out;
    }

    static boolean isFloat(DType type) {
        return type == DType.F32 || type == DType.F16 || type == DType.BF16;
    }
}
