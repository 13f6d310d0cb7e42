package dev.ingot.spi.model;

import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import java.util.Objects;

/**
 * One weight a model needs: its canonical name, shape, and what it is for, which decides the types
 * it may be stored in. An FP8 matrix may come with its block scales {@code NAME_scale_inv} (see
 * {@link Fp8Scaling}); they need no slot of their own. Matrices may arrive in any floating-point type, quantized ones included;
 * vectors (norm scales, biases) are small and must be F32, F16, BF16 or F64.
 *
 * @param name  canonical (Hugging Face) name, e.g. {@code model.layers.0.self_attn.q_proj.weight}
 * @param shape row-major, matrices as {@code [out, in]}
 * @param role  matrix or vector
 */
public record WeightSlot(String name, Shape shape, Role role) {

    public enum Role {
        /** A projection, the embedding, the LM head. */
        MATRIX,
        /** A norm scale or a bias. */
        VECTOR
    }

    public WeightSlot {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(role, "role");
    }

    public static WeightSlot matrix(String name, long rows, long cols) {
        return new WeightSlot(name, Shape.of(rows, cols), Role.MATRIX);
    }

    public static WeightSlot vector(String name, long size) {
        return new WeightSlot(name, Shape.of(size), Role.VECTOR);
    }

    /** True when a tensor of {@code type} may fill this slot. */
    public boolean accepts(DType type) {
        return switch (role) {
            case MATRIX -> type.isFloatingPoint();
            case VECTOR -> type == DType.F32 || type == DType.F16 || type == DType.BF16 || type == DType.F64;
        };
    }

    /** The accepted types, for messages. */
    public String acceptedTypes() {
        return role == Role.MATRIX ? "a floating-point or GGML quantized type" : "F32, F16, BF16 or F64";
    }
}
