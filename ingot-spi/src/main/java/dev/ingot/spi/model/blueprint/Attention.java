package dev.ingot.spi.model.blueprint;

import java.util.Objects;
import java.util.Optional;

/**
 * Causal multi-head attention with grouped key/value heads over the sequence's cache:
 * {@code q = Wq x (+ bq)}, {@code k}, {@code v} alike; optional per-head RMSNorm of q and k
 * (applied before RoPE, as Qwen3 does); RoPE on q and k; {@code softmax(q·k * scale)} over the
 * positions in the window; {@code o = Wo · attention (+ bo)}.
 *
 * @param q             canonical name of {@code [heads * headDim, hidden]}
 * @param k             {@code [kvHeads * headDim, hidden]}
 * @param v             {@code [kvHeads * headDim, hidden]}
 * @param o             {@code [hidden, heads * headDim]}
 * @param qBias         optional {@code [heads * headDim]}
 * @param kBias         optional {@code [kvHeads * headDim]}
 * @param vBias         optional {@code [kvHeads * headDim]}
 * @param oBias         optional {@code [hidden]}
 * @param qNorm         optional per-head norm of the queries (size {@code headDim})
 * @param kNorm         optional per-head norm of the keys (size {@code headDim})
 * @param heads         query heads
 * @param kvHeads       key/value heads, dividing {@code heads}
 * @param headDim       size of one head
 * @param rope          the position embedding
 * @param slidingWindow attend to at most this many most recent positions (the current one included); 0 for all
 * @param scale         multiplies q·k; usually {@code 1/sqrt(headDim)}
 */
public record Attention(String q, String k, String v, String o,
        Optional<String> qBias, Optional<String> kBias, Optional<String> vBias, Optional<String> oBias,
        Optional<Norm> qNorm, Optional<Norm> kNorm,
        int heads, int kvHeads, int headDim, Rope rope, int slidingWindow, double scale) {

    public Attention {
        Objects.requireNonNull(q, "q");
        Objects.requireNonNull(k, "k");
        Objects.requireNonNull(v, "v");
        Objects.requireNonNull(o, "o");
        Objects.requireNonNull(rope, "rope");
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0 || headDim <= 0) {
            throw new IllegalArgumentException("attention " + q + ": heads (" + heads + ") must be a positive multiple of kv heads ("
                    + kvHeads + ") and head dim (" + headDim + ") positive");
        }
        if (rope.rotaryDims() > headDim) {
            throw new IllegalArgumentException("attention " + q + ": rope rotates " + rope.rotaryDims()
                    + " dims of heads of only " + headDim);
        }
        for (Optional<Norm> n : java.util.List.of(qNorm, kNorm)) {
            if (n.isPresent() && n.get().size() != headDim) {
                throw new IllegalArgumentException("attention " + q + ": q/k norm " + n.get().weight() + " has size "
                        + n.get().size() + " but heads have " + headDim);
            }
        }
        if (slidingWindow < 0 || !(scale > 0)) {
            throw new IllegalArgumentException("attention " + q + ": sliding window must be >= 0 and scale positive");
        }
    }

    public static Builder builder(String q, String k, String v, String o) {
        return new Builder(q, k, v, o);
    }

    /** Fills the optional parts; {@code scale} defaults to {@code 1/sqrt(headDim)}. */
    public static final class Builder {
        private final String q;
        private final String k;
        private final String v;
        private final String o;
        private Optional<String> qBias = Optional.empty();
        private Optional<String> kBias = Optional.empty();
        private Optional<String> vBias = Optional.empty();
        private Optional<String> oBias = Optional.empty();
        private Optional<Norm> qNorm = Optional.empty();
        private Optional<Norm> kNorm = Optional.empty();
        private int heads;
        private int kvHeads;
        private int headDim;
        private Rope rope;
        private int slidingWindow;
        private double scale;

        private Builder(String q, String k, String v, String o) {
            this.q = q;
            this.k = k;
            this.v = v;
            this.o = o;
        }

        public Builder heads(int heads, int kvHeads, int headDim) {
            this.heads = heads;
            this.kvHeads = kvHeads;
            this.headDim = headDim;
            return this;
        }

        public Builder qkvBias(String q, String k, String v) {
            qBias = Optional.of(q);
            kBias = Optional.of(k);
            vBias = Optional.of(v);
            return this;
        }

        public Builder outputBias(String name) {
            oBias = Optional.of(name);
            return this;
        }

        public Builder qkNorm(Norm q, Norm k) {
            qNorm = Optional.of(q);
            kNorm = Optional.of(k);
            return this;
        }

        public Builder rope(Rope rope) {
            this.rope = rope;
            return this;
        }

        public Builder slidingWindow(int window) {
            slidingWindow = window;
            return this;
        }

        public Builder scale(double scale) {
            this.scale = scale;
            return this;
        }

        public Attention build() {
            double s = scale > 0 ? scale : 1.0 / Math.sqrt(headDim);
            return new Attention(q, k, v, o, qBias, kBias, vBias, oBias, qNorm, kNorm, heads, kvHeads, headDim, rope,
                    slidingWindow, s);
        }
    }
}
