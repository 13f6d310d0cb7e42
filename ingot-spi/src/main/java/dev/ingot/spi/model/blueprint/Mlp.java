package dev.ingot.spi.model.blueprint;

import java.util.Objects;

/**
 * Gated MLP: {@code down(act(gate x) * up x)} with SiLU (SwiGLU: Llama, Mistral, Qwen) or tanh-approximated
 * GELU (GeGLU: Gemma).
 *
 * @param gate             {@code [intermediateSize, hidden]}
 * @param up               {@code [intermediateSize, hidden]}
 * @param down             {@code [hidden, intermediateSize]}
 */
public record Mlp(String gate, String up, String down, int intermediateSize, Activation activation) {

    public enum Activation {
        SILU, GELU_TANH
    }

    public Mlp {
        Objects.requireNonNull(gate, "gate");
        Objects.requireNonNull(up, "up");
        Objects.requireNonNull(down, "down");
        Objects.requireNonNull(activation, "activation");
        if (intermediateSize <= 0) {
            throw new IllegalArgumentException("mlp " + gate + ": intermediate size must be positive, got " + intermediateSize);
        }
    }
}
