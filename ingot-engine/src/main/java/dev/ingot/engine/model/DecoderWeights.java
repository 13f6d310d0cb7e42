package dev.ingot.engine.model;

import dev.ingot.engine.kernel.ParallelRepack;
import dev.ingot.engine.kernel.ScalarKernels;
import dev.ingot.engine.kernel.WeightMatrix;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.spi.model.blueprint.Attention;
import dev.ingot.spi.model.blueprint.DecoderBlueprint;
import dev.ingot.spi.model.blueprint.DecoderLayer;
import dev.ingot.spi.model.blueprint.Norm;
import dev.ingot.spi.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A weight generation viewed through the model's blueprint as a typed table; built once per generation, before
 * the generation serves (at load, and on an update's commit path before the swap). F32 matrices (and BF16 ones
 * with {@code -Dingot.weights.panels=all}) are repacked into panels ({@link WeightMatrix#forServing}), spread over
 * the cores ({@link ParallelRepack}), held in an arena of this table's own, which the generation closes when its last
 * reader leaves ({@link #close()}).
 */
public final class DecoderWeights implements AutoCloseable {

    /** Row-major, as stored: token lookups read its rows. */
    final WeightMatrix embed;
    final LayerWeights[] layers;
    final float[] finalNorm;
    final WeightMatrix lmHead;
    final long bytesPerToken;
    private final Arena panels;

    private DecoderWeights(WeightMatrix embed, LayerWeights[] layers, float[] finalNorm, WeightMatrix lmHead, Arena panels) {
        this.embed = embed;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.panels = panels;
        long bytes = lmHead.byteSize() + embed.byteSize() / embed.rows();
        for (LayerWeights l : layers) {
            bytes += l.matrixBytes();
        }
        this.bytesPerToken = bytes;
    }

    public static DecoderWeights of(WeightGeneration generation) {
        return generation.bound(DecoderWeights.class, DecoderWeights::bind);
    }

    private static DecoderWeights bind(WeightGeneration g) {
        Arena panels = Arena.ofShared();
        try {
            return bind(g, panels);
        } catch (RuntimeException | Error e) {
            panels.close();
            throw e;
        }
    }

    private static DecoderWeights bind(WeightGeneration g, Arena panels) {
        DecoderBlueprint blueprint = g.model().blueprint();
        WeightMatrix embed = WeightMatrix.of(g.tensor(blueprint.embedding().weight()));
        // Every matrix in rows first, then all repacked together, spread over the cores (ParallelRepack):
        // seven per layer in this order, then the head.
        List<WeightMatrix> rows = new ArrayList<>();
        for (DecoderLayer layer : blueprint.layers()) {
            Attention a = layer.attention();
            for (String name : List.of(a.q(), a.k(), a.v(), a.o(), layer.mlp().gate(), layer.mlp().up(), layer.mlp().down())) {
                rows.add(WeightMatrix.of(g.tensor(name)));
            }
        }
        // Tied: the head multiplies by the embedding's rows, so it gets its own serving copy while lookups read rows.
        rows.add(blueprint.head().tied() ? embed : WeightMatrix.of(g.tensor(blueprint.head().weight())));
        WeightMatrix[] m = ParallelRepack.forServing(rows, panels);
        LayerWeights[] layers = new LayerWeights[blueprint.layers().size()];
        for (int i = 0; i < layers.length; i++) {
            DecoderLayer layer = blueprint.layers().get(i);
            Attention a = layer.attention();
            int at = 7 * i;
            layers[i] = new LayerWeights(
                    norm(g, layer.inputNorm()),
                    m[at], m[at + 1], m[at + 2], m[at + 3],
                    vector(g, a.qBias()), vector(g, a.kBias()), vector(g, a.vBias()), vector(g, a.oBias()),
                    a.qNorm().map(n -> norm(g, n)).orElse(null), a.kNorm().map(n -> norm(g, n)).orElse(null),
                    layer.postAttentionNorm().map(n -> norm(g, n)).orElse(null),
                    norm(g, layer.mlpNorm()),
                    m[at + 4], m[at + 5], m[at + 6],
                    layer.postMlpNorm().map(n -> norm(g, n)).orElse(null));
        }
        return new DecoderWeights(embed, layers, norm(g, blueprint.finalNorm()), m[m.length - 1], panels);
    }

    /** Weight bytes one decode step reads: every matrix once plus one embedding row. */
    public long bytesPerToken() {
        return bytesPerToken;
    }

    /** Frees the panels; called by the generation once its last reader has left, never while it serves. */
    @Override
    public void close() {
        panels.close();
    }

    private static float[] vector(WeightGeneration g, Optional<String> name) {
        return name.map(n -> floats(g.tensor(n))).orElse(null);
    }

    /** The scale a norm multiplies by: its weight, or {@code 1 + weight} for zero-centred norms. */
    private static float[] norm(WeightGeneration g, Norm norm) {
        float[] w = floats(g.tensor(norm.weight()));
        if (norm.style() == Norm.Style.ONE_PLUS_WEIGHT) {
            for (int i = 0; i < w.length; i++) {
                w[i] = 1f + w[i];
            }
        }
        return w;
    }

    private static float[] floats(Tensor t) {
        int n = Math.toIntExact(t.info().shape().elementCount());
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = ScalarKernels.weight(t.data(), t.info().dtype(), i);
        }
        return out;
    }

    /** Copies embedding row {@code token}, times {@code scale}, into {@code out[offset, offset + dim)}. */
    void embed(int token, float scale, float[] out, int offset) {
        if (token < 0 || token >= embed.rows()) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary (0.." + (embed.rows() - 1) + ")");
        }
        long base = (long) token * embed.cols();
        for (int c = 0; c < embed.cols(); c++) {
            out[offset + c] = ScalarKernels.weight(embed.data(), embed.dtype(), base + c) * scale;
        }
    }
}
