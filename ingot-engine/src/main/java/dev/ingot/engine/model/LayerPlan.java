package dev.ingot.engine.model;

import dev.ingot.spi.model.blueprint.Attention;
import dev.ingot.spi.model.blueprint.DecoderLayer;
import dev.ingot.spi.model.blueprint.Mlp;

/** One layer's blueprint reduced to the numbers the forward pass uses, computed once per model. */
record LayerPlan(int heads, int kvHeads, int headDim, int qDim, int kvDim, int ffn, int window, float scale,
        double inputEps, double qkEps, double postAttentionEps, double mlpEps, double postMlpEps,
        RotaryEmbedding rope, Mlp.Activation activation) {

    static LayerPlan of(DecoderLayer layer, RotaryEmbedding rope) {
        Attention a = layer.attention();
        return new LayerPlan(a.heads(), a.kvHeads(), a.headDim(), a.heads() * a.headDim(), a.kvHeads() * a.headDim(),
                layer.mlp().intermediateSize(), a.slidingWindow(), (float) a.scale(),
                layer.inputNorm().eps(), a.qNorm().map(n -> n.eps()).orElse(0.0),
                layer.postAttentionNorm().map(n -> n.eps()).orElse(0.0), layer.mlpNorm().eps(),
                layer.postMlpNorm().map(n -> n.eps()).orElse(0.0), rope, layer.mlp().activation());
    }

    int group() {
        return heads / kvHeads;
    }
}
