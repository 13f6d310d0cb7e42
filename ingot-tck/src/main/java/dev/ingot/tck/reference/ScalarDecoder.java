package dev.ingot.tck.reference;

import dev.ingot.spi.model.RopeScaling;
import dev.ingot.spi.model.blueprint.Attention;
import dev.ingot.spi.model.blueprint.DecoderBlueprint;
import dev.ingot.spi.model.blueprint.DecoderLayer;
import dev.ingot.spi.model.blueprint.Mlp;
import dev.ingot.spi.model.blueprint.Norm;
import dev.ingot.spi.model.blueprint.Rope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kit's own reading of a {@link DecoderBlueprint}: every block computed one element at a time in
 * double precision, straight from the formulas the blueprint records document, sharing no code with
 * the engine's kernels. One sequence, one token per {@link #step}.
 *
 * <pre>
 * x      = E[token] * embedding.scale
 * layer: h = rms(x) ; q,k,v = W h (+ b) ; q,k per-head rms (optional) ; RoPE(q, k, position)
 *        a = softmax(q·k * scale over the window) · v, heads sharing kv heads in groups
 *        x += [postAttentionNorm](Wo a (+ bo))
 *        x += [postMlpNorm](Wdown (act(Wgate rms(x)) * Wup rms(x)))
 * logits = Whead rms(x)
 * rms(v) = v / sqrt(mean(v^2) + eps) * (w | 1 + w)
 * </pre>
 */
public final class ScalarDecoder {

    private final DecoderBlueprint blueprint;
    private final Map<String, float[]> weights;
    private final List<List<double[]>> keys = new ArrayList<>();
    private final List<List<double[]>> values = new ArrayList<>();
    private int position;

    /** {@code weights}: canonical name to row-major F32 elements. */
    public ScalarDecoder(DecoderBlueprint blueprint, Map<String, float[]> weights) {
        this.blueprint = blueprint;
        this.weights = weights;
        for (int l = 0; l < blueprint.layers().size(); l++) {
            keys.add(new ArrayList<>());
            values.add(new ArrayList<>());
        }
    }

    /** Feeds {@code token} at the next position and returns the logits there. */
    public double[] step(int token) {
        int d = blueprint.hiddenSize();
        double[] x = new double[d];
        float[] embed = weights.get(blueprint.embedding().weight());
        for (int i = 0; i < d; i++) {
            x[i] = embed[token * d + i] * blueprint.embedding().scale();
        }
        for (int l = 0; l < blueprint.layers().size(); l++) {
            DecoderLayer layer = blueprint.layers().get(l);
            double[] attention = attention(l, layer.attention(), rms(x, layer.inputNorm()));
            add(x, layer.postAttentionNorm().map(n -> rms(attention, n)).orElse(attention));
            double[] mlp = mlp(layer.mlp(), rms(x, layer.mlpNorm()));
            add(x, layer.postMlpNorm().map(n -> rms(mlp, n)).orElse(mlp));
        }
        double[] h = rms(x, blueprint.finalNorm());
        position++;
        return matvec(blueprint.head().weight(), h, blueprint.vocabSize());
    }

    private double[] attention(int layer, Attention a, double[] h) {
        int hd = a.headDim();
        double[] q = bias(matvec(a.q(), h, a.heads() * hd), a.qBias());
        double[] k = bias(matvec(a.k(), h, a.kvHeads() * hd), a.kBias());
        double[] v = bias(matvec(a.v(), h, a.kvHeads() * hd), a.vBias());
        if (a.qNorm().isPresent()) {
            perHeadRms(q, a.heads(), hd, a.qNorm().get());
            perHeadRms(k, a.kvHeads(), hd, a.kNorm().orElseThrow());
        }
        rope(q, a.heads(), hd, a.rope());
        rope(k, a.kvHeads(), hd, a.rope());
        keys.get(layer).add(k);
        values.get(layer).add(v);
        int start = a.slidingWindow() > 0 ? Math.max(0, position - a.slidingWindow() + 1) : 0;
        int group = a.heads() / a.kvHeads();
        double[] out = new double[a.heads() * hd];
        for (int head = 0; head < a.heads(); head++) {
            int kvOffset = (head / group) * hd;
            double[] scores = new double[position + 1 - start];
            double max = Double.NEGATIVE_INFINITY;
            for (int t = start; t <= position; t++) {
                double s = 0;
                for (int i = 0; i < hd; i++) {
                    s += q[head * hd + i] * keys.get(layer).get(t)[kvOffset + i];
                }
                scores[t - start] = s * a.scale();
                max = Math.max(max, scores[t - start]);
            }
            double sum = 0;
            for (int t = 0; t < scores.length; t++) {
                scores[t] = Math.exp(scores[t] - max);
                sum += scores[t];
            }
            for (int t = start; t <= position; t++) {
                double p = scores[t - start] / sum;
                for (int i = 0; i < hd; i++) {
                    out[head * hd + i] += p * values.get(layer).get(t)[kvOffset + i];
                }
            }
        }
        return bias(matvec(a.o(), out, blueprint.hiddenSize()), a.oBias());
    }

    private double[] mlp(Mlp m, double[] h) {
        double[] gate = matvec(m.gate(), h, m.intermediateSize());
        double[] up = matvec(m.up(), h, m.intermediateSize());
        for (int i = 0; i < gate.length; i++) {
            double g = gate[i];
            double act = switch (m.activation()) {
                case SILU -> g / (1 + Math.exp(-g));
                case GELU_TANH -> 0.5 * g * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (g + 0.044715 * g * g * g)));
            };
            gate[i] = act * up[i];
        }
        return matvec(m.down(), gate, blueprint.hiddenSize());
    }

    /** Rotates the first {@code rotaryDims} elements of each head by position-dependent angles. */
    private void rope(double[] x, int heads, int hd, Rope rope) {
        int dims = rope.rotaryDims();
        for (int head = 0; head < heads; head++) {
            int base = head * hd;
            for (int i = 0; i < dims / 2; i++) {
                double angle = position * frequency(rope, i, dims);
                double cos = Math.cos(angle);
                double sin = Math.sin(angle);
                int a = rope.pairing() == Rope.Pairing.HALVES ? base + i : base + 2 * i;
                int b = rope.pairing() == Rope.Pairing.HALVES ? base + i + dims / 2 : base + 2 * i + 1;
                double xa = x[a];
                double xb = x[b];
                x[a] = xa * cos - xb * sin;
                x[b] = xa * sin + xb * cos;
            }
        }
    }

    /** {@code theta^(-2i/dims)}, scaled as Hugging Face's "linear" and "llama3" rope types do. */
    static double frequency(Rope rope, int i, int dims) {
        double f = Math.pow(rope.theta(), -2.0 * i / dims);
        return switch (rope.scaling()) {
            case RopeScaling.None n -> f;
            case RopeScaling.Linear linear -> f / linear.factor();
            case RopeScaling.Llama3 l3 -> {
                double wavelength = 2 * Math.PI / f;
                double low = l3.originalMaxPositions() / l3.lowFreqFactor();
                double high = l3.originalMaxPositions() / l3.highFreqFactor();
                if (wavelength < high) {
                    yield f;
                }
                if (wavelength > low) {
                    yield f / l3.factor();
                }
                double smooth = (l3.originalMaxPositions() / wavelength - l3.lowFreqFactor())
                        / (l3.highFreqFactor() - l3.lowFreqFactor());
                yield (1 - smooth) * f / l3.factor() + smooth * f;
            }
        };
    }

    private double[] rms(double[] x, Norm norm) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double inv = 1.0 / Math.sqrt(ss / x.length + norm.eps());
        float[] w = weights.get(norm.weight());
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * inv * (norm.style() == Norm.Style.ONE_PLUS_WEIGHT ? 1 + w[i] : w[i]);
        }
        return out;
    }

    private void perHeadRms(double[] x, int heads, int hd, Norm norm) {
        for (int head = 0; head < heads; head++) {
            double[] part = new double[hd];
            System.arraycopy(x, head * hd, part, 0, hd);
            System.arraycopy(rms(part, norm), 0, x, head * hd, hd);
        }
    }

    private double[] matvec(String name, double[] x, int rows) {
        float[] w = weights.get(name);
        int cols = x.length;
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) {
                s += w[r * cols + c] * x[c];
            }
            out[r] = s;
        }
        return out;
    }

    private double[] bias(double[] x, Optional<String> name) {
        name.ifPresent(n -> {
            float[] b = weights.get(n);
            for (int i = 0; i < x.length; i++) {
                x[i] += b[i];
            }
        });
        return x;
    }

    private static void add(double[] x, double[] delta) {
        for (int i = 0; i < x.length; i++) {
            x[i] += delta[i];
        }
    }
}
