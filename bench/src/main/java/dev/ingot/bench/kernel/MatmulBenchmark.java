package dev.ingot.bench.kernel;

import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kernel.ScalarKernels;
import dev.ingot.engine.kernel.WeightMatrix;
import dev.ingot.spi.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One {@code [rows x cols]} matmul of a batch of activations, weights off-heap in the given type as
 * they would be mapped from a checkpoint. Shapes are {@code rowsxcols}, i.e. out x in.
 *
 * <p>Decoding walks through a model far larger than any cache, so each call takes the next of
 * enough copies of the matrix to fill {@link #workingSetMiB} (beyond the 32 MiB L3 of typical
 * servers): the weights stream from DRAM as they do in a real decode step, instead of a small matrix
 * being served from cache call after call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MatmulBenchmark {

    @Param({"768x768", "2048x768", "768x2048", "4096x4096"})
    public String shape;

    @Param({"F32", "BF16", "F16"})
    public String dtype;

    @Param({"1", "16"})
    public int batch;

    /** {@code vector} (the serving kernels) or {@code scalar} (the reference loop, the baseline). */
    @Param({"vector", "scalar"})
    public String kernels;

    /** Threads for the vector kernels; 0 means one per available processor. */
    @Param({"0"})
    public int threads;

    /** Total size of the matrix copies cycled through; 0 keeps one copy (cache-hot). */
    @Param({"256"})
    public int workingSetMiB;

    private Arena arena;
    private Kernels impl;
    private WeightMatrix[] copies;
    private int next;
    private float[] x;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        MatmulShape s = MatmulShape.parse(shape);
        DType type = DType.valueOf(dtype);
        arena = Arena.ofShared();
        MemorySegment first = randomWeights(arena, type, (long) s.rows() * s.cols());
        int count = (int) Math.max(1, ((long) workingSetMiB << 20) / first.byteSize());
        copies = new WeightMatrix[count];
        for (int i = 0; i < count; i++) {
            MemorySegment data = i == 0 ? first : arena.allocate(first.byteSize(), 64).copyFrom(first);
            copies[i] = new WeightMatrix(shape, data, type, s.rows(), s.cols());
        }
        x = new float[batch * s.cols()];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        out = new float[batch * s.rows()];
        impl = switch (kernels) {
            case "vector" -> Kernels.best(threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
            case "scalar" -> new ScalarKernels();
            default -> throw new IllegalArgumentException("kernels must be vector or scalar, got " + kernels);
        };
    }

    @Benchmark
    public float[] matmul() {
        WeightMatrix w = copies[next];
        next = next + 1 == copies.length ? 0 : next + 1;
        impl.matmul(w, x, out, batch);
        return out;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        impl.close();
        arena.close();
    }

    /** K-quant super-blocks of random bits (every bit pattern is a valid block) with small F16 scales. */
    private static MemorySegment randomKQuants(Arena arena, DType type, long count) {
        MemorySegment blocks = arena.allocate(type.bytesFor(count), 64);
        SplittableRandom random = new SplittableRandom(3);
        for (long i = 0; i < blocks.byteSize(); i++) {
            blocks.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
        }
        ValueLayout.OfShort u16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (long b = 0; b < count / type.blockElements(); b++) {
            long start = b * type.blockBytes();
            for (long at : type == DType.Q6_K ? new long[] {208} : new long[] {0, 2}) {
                blocks.set(u16, start + at, Float.floatToFloat16(0.001f));
            }
        }
        return blocks;
    }

    /** Values in [-1, 1), written in the target type's little-endian encoding. */
    static MemorySegment randomWeights(Arena arena, DType type, long count) {
        if (type == DType.Q4_K || type == DType.Q6_K) {
            return randomKQuants(arena, type, count);
        }
        if (type.blockElements() > 1) { // GGML blocks: random F32 through ggml's reference quantizer
            MemorySegment f32 = randomWeights(arena, DType.F32, count);
            MemorySegment blocks = arena.allocate(type.bytesFor(count), 64);
            dev.ingot.engine.tensor.quant.Quantizer.fromF32(f32, type, blocks, count);
            return blocks;
        }
        MemorySegment data = arena.allocate(count * type.byteSize(), 64);
        SplittableRandom random = new SplittableRandom(2);
        ValueLayout.OfFloat f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        ValueLayout.OfShort u16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < count; i++) {
            float v = (float) random.nextDouble(-1, 1);
            switch (type) {
                case F32 -> data.setAtIndex(f32, i, v);
                case BF16 -> data.setAtIndex(u16, i, (short) (Float.floatToRawIntBits(v) >>> 16));
                case F16 -> data.setAtIndex(u16, i, Float.floatToFloat16(v));
                default -> throw new IllegalArgumentException("not a weight type: " + type);
            }
        }
        return data;
    }
}
