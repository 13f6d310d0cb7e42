package dev.ingot.engine.kernel;

import dev.ingot.spi.tensor.DType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Single-threaded matmul over a contiguous block of rows: picks the copy of {@link TypedRowBlock} (float
 * types), {@link QuantRowBlock} (GGML blocks) or, for matrices in panels, {@link WeightPanels} specialised for
 * the matrix's weight type (see there for why there are copies).
 */
final class RowBlockMatmul {

    private static final MethodType ROWS = MethodType.methodType(void.class,
            MemorySegment.class, int.class, int.class, float[].class, Q8Activations.class, Q8KActivations.class, float[].class,
            int.class, int.class, int.class);

    private static final MethodHandle F32_ROWS = specialise(TypedRowBlock.class, DType.F32);
    private static final MethodHandle BF16_ROWS = specialise(TypedRowBlock.class, DType.BF16);
    private static final MethodHandle F16_ROWS = specialise(TypedRowBlock.class, DType.F16);
    private static final MethodHandle Q8_0_ROWS = specialise(QuantRowBlock.class, DType.Q8_0);
    private static final MethodHandle Q4_0_ROWS = specialise(QuantRowBlock.class, DType.Q4_0);
    private static final MethodHandle Q4_K_ROWS = specialise(QuantRowBlock.class, DType.Q4_K);
    private static final MethodHandle Q6_K_ROWS = specialise(QuantRowBlock.class, DType.Q6_K);

    private static final MethodType PANEL_ROWS = MethodType.methodType(void.class,
            MemorySegment.class, int.class, int.class, float[].class, float[].class, int.class, int.class, int.class);
    private static final MethodHandle BF16_PANELS = specialise(WeightPanels.class, DType.BF16, PANEL_ROWS);

    private RowBlockMatmul() {}

    /** What the kernels of a weight type multiply: float inputs, or inputs quantized as ggml's {@code vec_dot} pairs them. */
    enum Activations { FLOAT, Q8_0, Q8_K }

    static Activations activationsFor(DType dtype) {
        return switch (dtype) {
            case Q8_0, Q4_0 -> Lanes.INT_BLOCKS ? Activations.Q8_0 : Activations.FLOAT;
            case Q4_K, Q6_K -> Activations.Q8_K;
            default -> Activations.FLOAT;
        };
    }

    /**
     * Rows {@code [from, to)} of {@code w}, all {@code batch} inputs; {@code q8} / {@code q8k} are {@code x}
     * quantized, present when the type {@linkplain #activationsFor wants} them.
     */
    static void rows(WeightMatrix w, float[] x, Q8Activations q8, Q8KActivations q8k, float[] out, int batch, int from, int to) {
        try {
            if (w.layout() == WeightMatrix.Layout.PANELS) {
                if (w.dtype() == DType.BF16) {
                    BF16_PANELS.invokeExact(w.data(), w.rows(), w.cols(), x, out, batch, from, to);
                } else {
                    WeightPanels.rows(w.data(), w.rows(), w.cols(), x, out, batch, from, to);
                }
                return;
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        MethodHandle typed = switch (w.dtype()) {
            case F32 -> F32_ROWS;
            case BF16 -> BF16_ROWS;
            case F16 -> F16_ROWS;
            case Q8_0 -> Q8_0_ROWS;
            case Q4_0 -> Q4_0_ROWS;
            case Q4_K -> Q4_K_ROWS;
            case Q6_K -> Q6_K_ROWS;
            default -> throw new IllegalArgumentException("not a weight type: " + w.dtype());
        };
        try {
            Activations wanted = activationsFor(w.dtype());
            if (wanted == Activations.Q8_0 && q8 == null || wanted == Activations.Q8_K && q8k == null) {
                throw new IllegalArgumentException(w.name() + ": " + w.dtype() + " rows need the inputs quantized to " + wanted);
            }
            typed.invokeExact(w.data(), w.rows(), w.cols(), x, q8, q8k, out, batch, from, to);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Defines a hidden copy of {@code template} (a class with {@code DTYPE} from its class data) whose {@code DTYPE} is {@code dtype}. */
    private static MethodHandle specialise(Class<?> template, DType dtype) {
        return specialise(template, dtype, ROWS);
    }

    /** As above, the copy's static {@code rows} of {@code type}. */
    private static MethodHandle specialise(Class<?> template, DType dtype, MethodType type) {
        String file = template.getSimpleName() + ".class";
        try (InputStream in = RowBlockMatmul.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("class file " + file + " not found next to " + RowBlockMatmul.class.getName());
            }
            MethodHandles.Lookup copy = MethodHandles.lookup().defineHiddenClassWithClassData(in.readAllBytes(), dtype, true);
            return copy.findStatic(copy.lookupClass(), "rows", type);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot specialise " + file + " for " + dtype, e);
        }
    }
}
