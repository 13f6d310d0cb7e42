package dev.ingot.spi.model;

import dev.ingot.spi.model.blueprint.Attention;
import dev.ingot.spi.model.blueprint.DecoderBlueprint;
import dev.ingot.spi.model.blueprint.DecoderLayer;
import dev.ingot.spi.model.blueprint.Embedding;
import dev.ingot.spi.model.blueprint.Head;
import dev.ingot.spi.model.blueprint.Mlp;
import dev.ingot.spi.model.blueprint.Norm;
import dev.ingot.spi.model.blueprint.Rope;
import java.util.ArrayList;
import java.util.List;

/**
 * The blueprint of the common pre-norm decoder in Hugging Face names (Llama's layout), with switches
 * for the variants most architectures are made of. An architecture plugin usually is a few of these
 * switches: Qwen2 is {@code qkvBias(true)}, Qwen3 is {@code qkNorm(true)}.
 */
public final class StandardDecoder {

    private final ModelSpec spec;
    private boolean qkvBias;
    private boolean qkNorm;
    private boolean outputBias;
    private int slidingWindowFrom;
    private Norm.Style normStyle = Norm.Style.WEIGHT;
    private Rope.Pairing ropePairing = Rope.Pairing.HALVES;
    private int rotaryDims;
    private double embeddingScale = 1.0;
    private Mlp.Activation activation = Mlp.Activation.SILU;

    private StandardDecoder(ModelSpec spec) {
        this.spec = spec;
        this.rotaryDims = spec.headDim();
    }

    public static StandardDecoder of(ModelSpec spec) {
        return new StandardDecoder(spec);
    }

    /** q, k and v projections carry a bias ({@code ...q_proj.bias}), as in Qwen2. */
    public StandardDecoder qkvBias(boolean on) {
        qkvBias = on;
        return this;
    }

    /** Per-head RMSNorm of q and k before RoPE ({@code ...self_attn.q_norm.weight}), as in Qwen3. */
    public StandardDecoder qkNorm(boolean on) {
        qkNorm = on;
        return this;
    }

    /** The output projection carries a bias ({@code ...o_proj.bias}), as Qwen3 with {@code attention_bias}. */
    public StandardDecoder outputBias(boolean on) {
        outputBias = on;
        return this;
    }

    /**
     * The spec's sliding window applies only to layers from {@code layer} on; earlier layers attend to
     * everything (Qwen2's {@code max_window_layers}). Default 0: every layer.
     */
    public StandardDecoder slidingWindowFrom(int layer) {
        slidingWindowFrom = layer;
        return this;
    }

    public StandardDecoder normStyle(Norm.Style style) {
        normStyle = style;
        return this;
    }

    public StandardDecoder ropePairing(Rope.Pairing pairing) {
        ropePairing = pairing;
        return this;
    }

    /** Rotate only the first {@code dims} elements of each head (partial rotary). */
    public StandardDecoder rotaryDims(int dims) {
        rotaryDims = dims;
        return this;
    }

    public StandardDecoder embeddingScale(double scale) {
        embeddingScale = scale;
        return this;
    }

    public StandardDecoder activation(Mlp.Activation act) {
        activation = act;
        return this;
    }

    public DecoderBlueprint build() {
        int d = spec.hiddenSize();
        double eps = spec.normEps();
        Rope rope = new Rope(spec.ropeTheta(), spec.ropeScaling(), ropePairing, rotaryDims);
        List<DecoderLayer> layers = new ArrayList<>(spec.layers());
        for (int i = 0; i < spec.layers(); i++) {
            Attention.Builder attention = Attention.builder(HfNames.q(i), HfNames.k(i), HfNames.v(i), HfNames.o(i))
                    .heads(spec.heads(), spec.kvHeads(), spec.headDim())
                    .rope(rope)
                    .slidingWindow(i >= slidingWindowFrom ? spec.slidingWindow() : 0);
            if (qkvBias) {
                attention.qkvBias(HfNames.qBias(i), HfNames.kBias(i), HfNames.vBias(i));
            }
            if (outputBias) {
                attention.outputBias(HfNames.oBias(i));
            }
            if (qkNorm) {
                attention.qkNorm(new Norm(HfNames.qNorm(i), spec.headDim(), eps, normStyle),
                        new Norm(HfNames.kNorm(i), spec.headDim(), eps, normStyle));
            }
            layers.add(DecoderLayer.preNorm(new Norm(HfNames.attnNorm(i), d, eps, normStyle), attention.build(),
                    new Norm(HfNames.ffnNorm(i), d, eps, normStyle),
                    new Mlp(HfNames.gate(i), HfNames.up(i), HfNames.down(i), spec.ffnSize(), activation)));
        }
        Embedding embedding = new Embedding(HfNames.EMBED, spec.vocabSize(), d, embeddingScale);
        Head head = spec.tiedEmbeddings() ? new Head(HfNames.EMBED, true) : new Head(HfNames.LM_HEAD, false);
        return new DecoderBlueprint(embedding, layers, new Norm(HfNames.FINAL_NORM, d, eps, normStyle), head);
    }
}
