package dev.ingot.engine.model;

import dev.ingot.engine.kernel.ScalarKernels;
import dev.ingot.engine.kernel.WeightMatrix;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.spi.format.CanonicalWeights;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.tensor.Tensor;

/** A weight generation viewed as the model's typed table of matrices; built once per generation. */
public final class LlamaWeights {

    final ModelSpec spec;
    final WeightMatrix embed;
    final LayerWeights[] layers;
    final float[] finalNorm;
    final WeightMatrix lmHead;
    final long bytesPerToken;

    private LlamaWeights(ModelSpec spec, WeightMatrix embed, LayerWeights[] layers, float[] finalNorm, WeightMatrix lmHead) {
        this.spec = spec;
        this.embed = embed;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        long bytes = lmHead.byteSize() + embed.byteSize() / embed.rows();
        for (LayerWeights l : layers) {
            bytes += l.q().byteSize() + l.k().byteSize() + l.v().byteSize() + l.o().byteSize()
                    + l.gate().byteSize() + l.up().byteSize() + l.down().byteSize();
        }
        this.bytesPerToken = bytes;
    }

    public static LlamaWeights of(WeightGeneration generation) {
        return generation.bound(LlamaWeights.class, LlamaWeights::bind);
    }

    private static LlamaWeights bind(WeightGeneration g) {
        ModelSpec spec = g.spec();
        LayerWeights[] layers = new LayerWeights[spec.layers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new LayerWeights(
                    vector(g.tensor(CanonicalWeights.attnNorm(i))),
                    matrix(g, CanonicalWeights.q(i)), matrix(g, CanonicalWeights.k(i)),
                    matrix(g, CanonicalWeights.v(i)), matrix(g, CanonicalWeights.o(i)),
                    vector(g.tensor(CanonicalWeights.ffnNorm(i))),
                    matrix(g, CanonicalWeights.gate(i)), matrix(g, CanonicalWeights.up(i)),
                    matrix(g, CanonicalWeights.down(i)));
        }
        WeightMatrix embed = matrix(g, CanonicalWeights.EMBED);
        WeightMatrix head = spec.tiedEmbeddings() ? embed : matrix(g, CanonicalWeights.LM_HEAD);
        return new LlamaWeights(spec, embed, layers, vector(g.tensor(CanonicalWeights.FINAL_NORM)), head);
    }

    /** Weight bytes one decode step reads: every matrix once plus one embedding row. */
    public long bytesPerToken() {
        return bytesPerToken;
    }

    private static WeightMatrix matrix(WeightGeneration g, String name) {
        return WeightMatrix.of(g.tensor(name));
    }

    private static float[] vector(Tensor t) {
        int n = Math.toIntExact(t.info().shape().elementCount());
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = ScalarKernels.weight(t.data(), t.info().dtype(), i);
        }
        return out;
    }

    /** Copies embedding row {@code token} into {@code out[offset, offset + dim)}. */
    void embed(int token, float[] out, int offset) {
        if (token < 0 || token >= embed.rows()) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary (0.." + (embed.rows() - 1) + ")");
        }
        long base = (long) token * embed.cols();
        for (int c = 0; c < embed.cols(); c++) {
            out[offset + c] = ScalarKernels.weight(embed.data(), embed.dtype(), base + c);
        }
    }
}
