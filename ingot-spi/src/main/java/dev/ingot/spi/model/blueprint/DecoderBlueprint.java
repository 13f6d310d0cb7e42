package dev.ingot.spi.model.blueprint;

import dev.ingot.spi.model.WeightSlot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A decoder-only model's forward pass as the engine's building blocks: embedding, a stack of
 * pre-norm layers, a final norm, the LM head. Pure description: the engine executes it with its own
 * kernels, fusing what it can, and derives from it the exact list of weights the model needs.
 */
public record DecoderBlueprint(Embedding embedding, List<DecoderLayer> layers, Norm finalNorm, Head head) {

    public DecoderBlueprint {
        Objects.requireNonNull(embedding, "embedding");
        Objects.requireNonNull(finalNorm, "finalNorm");
        Objects.requireNonNull(head, "head");
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a decoder needs at least one layer");
        }
        if (head.tied() && !head.weight().equals(embedding.weight())) {
            throw new IllegalArgumentException("a tied head must name the embedding " + embedding.weight() + ", not " + head.weight());
        }
        for (DecoderLayer layer : layers) {
            if (layer.inputNorm().size() != embedding.hiddenSize() || layer.mlpNorm().size() != embedding.hiddenSize()) {
                throw new IllegalArgumentException("layer norms " + layer.inputNorm().weight() + " must have the hidden size "
                        + embedding.hiddenSize());
            }
        }
        weights(embedding, layers, finalNorm, head); // checks that no name is used twice with two meanings
    }

    public int hiddenSize() {
        return embedding.hiddenSize();
    }

    public int vocabSize() {
        return embedding.vocabSize();
    }

    /** Every weight named, once, in model order, with its shape. */
    public List<WeightSlot> weights() {
        return weights(embedding, layers, finalNorm, head);
    }

    private static List<WeightSlot> weights(Embedding embedding, List<DecoderLayer> layers, Norm finalNorm, Head head) {
        Map<String, WeightSlot> slots = new LinkedHashMap<>();
        int d = embedding.hiddenSize();
        add(slots, WeightSlot.matrix(embedding.weight(), embedding.vocabSize(), d));
        for (DecoderLayer layer : layers) {
            Attention a = layer.attention();
            int qRows = a.heads() * a.headDim();
            int kvRows = a.kvHeads() * a.headDim();
            add(slots, WeightSlot.vector(layer.inputNorm().weight(), d));
            add(slots, WeightSlot.matrix(a.q(), qRows, d));
            add(slots, WeightSlot.matrix(a.k(), kvRows, d));
            add(slots, WeightSlot.matrix(a.v(), kvRows, d));
            a.qBias().ifPresent(n -> add(slots, WeightSlot.vector(n, qRows)));
            a.kBias().ifPresent(n -> add(slots, WeightSlot.vector(n, kvRows)));
            a.vBias().ifPresent(n -> add(slots, WeightSlot.vector(n, kvRows)));
            a.qNorm().ifPresent(n -> add(slots, WeightSlot.vector(n.weight(), a.headDim())));
            a.kNorm().ifPresent(n -> add(slots, WeightSlot.vector(n.weight(), a.headDim())));
            add(slots, WeightSlot.matrix(a.o(), d, qRows));
            a.oBias().ifPresent(n -> add(slots, WeightSlot.vector(n, d)));
            layer.postAttentionNorm().ifPresent(n -> add(slots, WeightSlot.vector(n.weight(), d)));
            add(slots, WeightSlot.vector(layer.mlpNorm().weight(), d));
            Mlp m = layer.mlp();
            add(slots, WeightSlot.matrix(m.gate(), m.intermediateSize(), d));
            add(slots, WeightSlot.matrix(m.up(), m.intermediateSize(), d));
            add(slots, WeightSlot.matrix(m.down(), d, m.intermediateSize()));
            layer.postMlpNorm().ifPresent(n -> add(slots, WeightSlot.vector(n.weight(), d)));
        }
        add(slots, WeightSlot.vector(finalNorm.weight(), d));
        if (!head.tied()) {
            add(slots, WeightSlot.matrix(head.weight(), embedding.vocabSize(), d));
        }
        return new ArrayList<>(slots.values());
    }

    private static void add(Map<String, WeightSlot> slots, WeightSlot slot) {
        WeightSlot before = slots.putIfAbsent(slot.name(), slot);
        if (before != null) {
            throw new IllegalArgumentException("weight " + slot.name() + " is named twice in the blueprint");
        }
    }
}
