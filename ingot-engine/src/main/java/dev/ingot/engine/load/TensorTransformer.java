package dev.ingot.engine.load;

import dev.ingot.engine.kernel.WeightMatrix;
import dev.ingot.engine.tensor.quant.Dequantizer;
import dev.ingot.engine.tensor.quant.Quantizer;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.mapping.TensorOp;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Carries out the {@link TensorOp}s a mapper declared. Slicing and reshaping are views (zero copy);
 * permuting, transposing, converting and custom kernels write into memory from {@code arena}.
 */
public final class TensorTransformer {

    private TensorTransformer() {}

    /** Applies {@code ops} in order and names the result {@code canonicalName}. */
    public static Tensor apply(Tensor input, List<TensorOp> ops, String canonicalName, Arena arena) throws CheckpointException {
        Tensor current = input;
        for (TensorOp op : ops) {
            current = applyOne(current, op, arena);
        }
        return new Tensor(current.info().withName(canonicalName), current.data());
    }

    /** The description of the result, without touching data: lets callers validate before reading. */
    public static TensorInfo describe(TensorInfo input, List<TensorOp> ops, String canonicalName) {
        TensorInfo current = input;
        for (TensorOp op : ops) {
            current = op.apply(current);
        }
        return current.withName(canonicalName);
    }

    private static Tensor applyOne(Tensor in, TensorOp op, Arena arena) throws CheckpointException {
        TensorInfo out;
        try {
            out = op.apply(in.info());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(e.getMessage(), e);
        }
        return switch (op) {
            case TensorOp.Reshape r -> new Tensor(out, in.data());
            case TensorOp.SliceRows s -> {
                long rowBytes = in.info().byteSize() / in.info().shape().dim(0);
                yield new Tensor(out, in.data().asSlice(s.start() * rowBytes, s.count() * rowBytes));
            }
            case TensorOp.Transpose t -> new Tensor(out, transpose(in, arena));
            case TensorOp.RopeInterleavedToHalves p -> new Tensor(out, interleavedToHalves(in, p.heads(), arena));
            case TensorOp.Convert c -> {
                if (c.to() == in.info().dtype()) {
                    yield in;
                }
                if (!ElementConversion.canRead(in.info().dtype())
                        || !(ElementConversion.supports(c.to()) || Quantizer.supports(c.to()))) {
                    throw new CheckpointException(in.name() + ": conversion from " + in.info().dtype() + " to " + c.to() + " is not supported");
                }
                long elements = in.info().shape().elementCount();
                if (Quantizer.supports(c.to())) {
                    // widened first (a no-op view for F32), then quantized block by block
                    Tensor f32 = applyOne(in, new TensorOp.Convert(DType.F32), arena);
                    MemorySegment blocks = arena.allocate(out.byteSize(), 64);
                    Quantizer.fromF32(f32.data(), c.to(), blocks, elements);
                    yield new Tensor(out, blocks);
                }
                MemorySegment dst = arena.allocate(out.byteSize(), 64);
                if (in.info().dtype().isQuantized()) {
                    // decoded as the type's definition says, then narrowed if the target is not F32
                    MemorySegment f32 = c.to() == DType.F32 ? dst : arena.allocate(elements * 4, 64);
                    Dequantizer.toF32(in.data(), in.info().dtype(), f32, elements);
                    if (f32 != dst) {
                        ElementConversion.convert(f32, DType.F32, dst, c.to(), elements);
                    }
                } else {
                    ElementConversion.convert(in.data(), in.info().dtype(), dst, c.to(), elements);
                }
                yield new Tensor(out, dst);
            }
            case TensorOp.Custom custom -> {
                MemorySegment dst = arena.allocate(out.byteSize(), 64);
                try {
                    custom.kernel().apply(in, dst);
                } catch (RuntimeException e) {
                    throw new CheckpointException(in.name() + ": custom step '" + custom.description() + "' failed: " + e, e);
                }
                yield new Tensor(out, dst);
            }
        };
    }

    private static MemorySegment transpose(Tensor in, Arena arena) {
        int rows = Math.toIntExact(in.info().shape().dim(0));
        int cols = Math.toIntExact(in.info().shape().dim(1));
        int size = in.info().dtype().byteSize();
        MemorySegment src = in.data();
        MemorySegment dst = arena.allocate(in.info().byteSize(), 64);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                MemorySegment.copy(src, ((long) r * cols + c) * size, dst, ((long) c * rows + r) * size, size);
            }
        }
        return dst;
    }

    /**
     * Within each head, row {@code 2i + c} of the interleaved layout becomes row {@code c * half + i}
     * of the rotate-half layout ({@code c} in {0, 1}, {@code half = headDim / 2}).
     */
    private static MemorySegment interleavedToHalves(Tensor in, int heads, Arena arena) {
        long rows = in.info().shape().dim(0);
        long rowBytes = in.info().byteSize() / rows;
        long headDim = rows / heads;
        long half = headDim / 2;
        MemorySegment dst = arena.allocate(in.info().byteSize(), 64);
        for (long h = 0; h < heads; h++) {
            long base = h * headDim;
            for (long i = 0; i < half; i++) {
                for (long c = 0; c < 2; c++) {
                    MemorySegment.copy(in.data(), (base + 2 * i + c) * rowBytes, dst, (base + c * half + i) * rowBytes, rowBytes);
                }
            }
        }
        return dst;
    }

    /**
     * K-quant matrices (Q4_K, Q6_K) are kept as stored, and the kernels compute them in place: a Q4_K_M file is
     * read at its own size per token, and held in memory at its own size (widened to F32 it took 6x the bytes,
     * which for a 7B model is more memory than most machines have). Kept, batch-1 decode runs 1.3-2.0x the
     * widened F32 path on the 110M Q4_K_M file; a 200-token prefill about half of it, because F32's batched
     * tiles are faster than the K-quant tile (bench/RESULTS.md, "K-quants kept quantized", "K-quant prefill
     * tile"). {@code -Dingot.kquants.keep=false} widens them at load, for prompt-heavy work that can spare
     * the memory.
     */
    static final boolean KEEP_K_QUANTS = !"false".equals(System.getProperty("ingot.kquants.keep"));

    /** True when the engine keeps tensors of this type as they are: the kernels compute with it in place. */
    public static boolean isStorable(DType type) {
        boolean kQuant = type == DType.Q4_K || type == DType.Q6_K;
        return WeightMatrix.computesWith(type) && (!kQuant || KEEP_K_QUANTS);
    }
}
