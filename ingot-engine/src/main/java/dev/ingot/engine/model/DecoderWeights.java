package dev.ingot.engine.model;

import dev.ingot.engine.kernel.ScalarKernels;
import dev.ingot.engine.kernel.WeightMatrix;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.spi.model.blueprint.Attention;
import dev.ingot.spi.model.blueprint.DecoderBlueprint;
import dev.ingot.spi.model.blueprint.DecoderLayer;
import dev.ingot.spi.model.blueprint.Norm;
import dev.ingot.spi.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Optional;

/**
 * A weight generation viewed through the model's blueprint as a typed table; built once per generation, before
 * the generation serves (at load, and on an update's commit path before the swap). F32 matrices (and BF16 ones
 * with {@code -Dingot.weights.panels=all}) are repacked into panels ({@link WeightMatrix#forServing}) held in an
 * arena of this table's own, which the generation closes when its last reader leaves ({@link #close()}).
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
        LayerWeights[] layers = new LayerWeights[blueprint.layers().size()];
        for (int i = 0; i < layers.length; i++) {
            DecoderLayer layer = blueprint.layers().get(i);
            Attention a = layer.attention();
            layers[i] = new LayerWeights(
                    norm(g, layer.inputNorm()),
                    matrix(g, a.q(), panels), matrix(g, a.k(), panels), matrix(g, a.v(), panels), matrix(g, a.o(), panels),
                    vector(g, a.qBias()), vector(g, a.kBias()), vector(g, a.vBias()), vector(g, a.oBias()),
                    a.qNorm().map(n -> norm(g, n)).orElse(null), a.kNorm().map(n -> norm(g, n)).orElse(null),
                    layer.postAttentionNorm().map(n -> norm(g, n)).orElse(null),
                    norm(g, layer.mlpNorm()),
                    matrix(g, layer.mlp().gate(), panels), matrix(g, layer.mlp().up(), panels),
                    matrix(g, layer.mlp().down(), panels),
                    layer.postMlpNorm().map(n -> norm(g, n)).orElse(null));
        }
        WeightMatrix embed = WeightMatrix.of(g.tensor(blueprint.embedding().weight()));
        // Tied: the head multiplies by the embedding's rows, so it gets its own serving copy while lookups read rows.
        WeightMatrix head = blueprint.head().tied() ? embed.forServing(panels) : matrix(g, blueprint.head().weight(), panels);
        return new DecoderWeights(embed, layers, norm(g, blueprint.finalNorm()), head, panels);
    }

    /** Weight bytes one decode step reads: every matrix once plus one embedding row. */
    public long bytesPerToken() {
        return bytesPerToken;
    }

    private static WeightMatrix matrix(WeightGeneration g, String name, Arena panels) {
        return WeightMatrix.of(g.tensor(name)).forServing(panels);
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
