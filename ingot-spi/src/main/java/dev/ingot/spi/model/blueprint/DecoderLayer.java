package dev.ingot.spi.model.blueprint;

import java.util.Objects;
import java.util.Optional;

/**
 * One pre-norm decoder block: {@code x += [postAttentionNorm](attention(inputNorm(x)))}, then
 * {@code x += [postMlpNorm](mlp(mlpNorm(x)))}. The optional post-norms are Gemma 2/3's "sandwich" norms.
 */
public record DecoderLayer(Norm inputNorm, Attention attention, Optional<Norm> postAttentionNorm,
        Norm mlpNorm, Mlp mlp, Optional<Norm> postMlpNorm) {

    public DecoderLayer {
        Objects.requireNonNull(inputNorm, "inputNorm");
        Objects.requireNonNull(attention, "attention");
        Objects.requireNonNull(postAttentionNorm, "postAttentionNorm");
        Objects.requireNonNull(mlpNorm, "mlpNorm");
        Objects.requireNonNull(mlp, "mlp");
        Objects.requireNonNull(postMlpNorm, "postMlpNorm");
    }

    /** The usual pre-norm block without post-norms. */
    public static DecoderLayer preNorm(Norm inputNorm, Attention attention, Norm mlpNorm, Mlp mlp) {
        return new DecoderLayer(inputNorm, attention, Optional.empty(), mlpNorm, mlp, Optional.empty());
    }
}
