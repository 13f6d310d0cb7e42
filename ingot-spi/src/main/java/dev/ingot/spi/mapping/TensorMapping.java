package dev.ingot.spi.mapping;

import java.util.List;

/** What a {@link WeightMapper} says about one native tensor. */
public sealed interface TensorMapping {

    /** The native tensor yields these canonical tensors (usually one; several when it is fused). */
    record Mapped(List<Target> targets) implements TensorMapping {
        public Mapped {
            targets = List.copyOf(targets);
            if (targets.isEmpty()) {
                throw new IllegalArgumentException("a mapping needs at least one target; use Skipped instead");
            }
        }
    }

    /** The tensor is known but not a weight the engine needs (e.g. precomputed RoPE tables). */
    record Skipped(String reason) implements TensorMapping {}

    /** The mapper does not know this name; {@code hint} may say what it expected. */
    record Unknown(String hint) implements TensorMapping {}

    /** One canonical tensor produced from the native one by applying {@code ops} in order. */
    record Target(String canonicalName, List<TensorOp> ops) {
        public Target {
            ops = List.copyOf(ops);
        }
    }

    static TensorMapping to(String canonicalName, TensorOp... ops) {
        return new Mapped(List.of(new Target(canonicalName, List.of(ops))));
    }

    static TensorMapping skip(String reason) {
        return new Skipped(reason);
    }

    static TensorMapping unknown(String hint) {
        return new Unknown(hint);
    }
}
