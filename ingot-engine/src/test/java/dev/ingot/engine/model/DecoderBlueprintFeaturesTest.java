package dev.ingot.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kernel.ScalarKernels;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.model.ModelArchitecture;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.RopeScaling;
import dev.ingot.spi.model.WeightSlot;
import dev.ingot.spi.model.blueprint.Attention;
import dev.ingot.spi.model.blueprint.DecoderBlueprint;
import dev.ingot.spi.model.blueprint.DecoderLayer;
import dev.ingot.spi.model.blueprint.Embedding;
import dev.ingot.spi.model.blueprint.Head;
import dev.ingot.spi.model.blueprint.Mlp;
import dev.ingot.spi.model.blueprint.Norm;
import dev.ingot.spi.model.blueprint.Rope;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The decoder's features beyond Llama, each checked against a plain double-precision forward pass
 * written here from the published definitions (RMSNorm, Gemma's {@code 1 + weight} scales and
 * {@code sqrt(hidden)} embedding scale, q/k/v biases, Qwen3/Gemma 3 per-head q/k norms before RoPE,
 * rotate-half and GPT-J interleaved RoPE, partial rotary, GQA, sliding windows, Gemma 2's sandwich
 * norms, SwiGLU and tanh-GELU GeGLU). Nothing of the engine is used for the expected values.
 */
class DecoderBlueprintFeaturesTest {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final int HIDDEN = 12;
    private static final int HEADS = 2;
    private static final int KV_HEADS = 1;
    private static final int HEAD_DIM = 8;
    private static final int FFN = 20;
    private static final int VOCAB = 13;
    private static final int MAX_POSITIONS = 16;
    private static final double EPS = 1e-6;
    private static final double EMBEDDING_SCALE = Math.sqrt(HIDDEN);
    private static final Norm.Style FINAL_STYLE = Norm.Style.ONE_PLUS_WEIGHT;

    /** What one layer uses; the test's architecture builds its blueprint from these and the reference reads them. */
    record LayerConfig(boolean qkvBias, boolean outputBias, boolean qkNorm, boolean postNorms, Norm.Style style,
            Rope.Pairing pairing, int rotaryDims, double theta, RopeScaling scaling, int window, double scale,
            Mlp.Activation activation) {

        LayerConfig with(UnaryOperator<Builder> change) {
            return change.apply(new Builder(this)).build();
        }

        static final class Builder {
            boolean qkvBias;
            boolean outputBias;
            boolean qkNorm;
            boolean postNorms;
            Norm.Style style;
            Rope.Pairing pairing;
            int rotaryDims;
            double theta;
            RopeScaling scaling;
            int window;
            double scale;
            Mlp.Activation activation;

            Builder(LayerConfig c) {
                qkvBias = c.qkvBias;
                outputBias = c.outputBias;
                qkNorm = c.qkNorm;
                postNorms = c.postNorms;
                style = c.style;
                pairing = c.pairing;
                rotaryDims = c.rotaryDims;
                theta = c.theta;
                scaling = c.scaling;
                window = c.window;
                scale = c.scale;
                activation = c.activation;
            }

            LayerConfig build() {
                return new LayerConfig(qkvBias, outputBias, qkNorm, postNorms, style, pairing, rotaryDims, theta, scaling,
                        window, scale, activation);
            }
        }
    }

    /** Layer 0 is Gemma-like, layer 1 Qwen3-like with an output bias, partial rotate-half RoPE and linear scaling. */
    private static final List<LayerConfig> LAYERS = List.of(
            new LayerConfig(true, false, true, true, Norm.Style.ONE_PLUS_WEIGHT, Rope.Pairing.INTERLEAVED, 4, 10000.0,
                    RopeScaling.NONE, 3, 0.3, Mlp.Activation.GELU_TANH),
            new LayerConfig(false, true, true, false, Norm.Style.WEIGHT, Rope.Pairing.HALVES, 6, 1_000_000.0,
                    new RopeScaling.Linear(2.0), 0, 1.0 / Math.sqrt(HEAD_DIM), Mlp.Activation.SILU));

    private static String postAttentionNorm(int layer) {
        return HfNames.layer(layer, "post_attention_norm.weight");
    }

    private static String postMlpNorm(int layer) {
        return HfNames.layer(layer, "post_feedforward_layernorm.weight");
    }

    /** An architecture assembled by hand from the blueprint blocks, as a plugin would. */
    record HandMadeArchitecture(List<LayerConfig> layers) implements ModelArchitecture {
        @Override public String name() { return "handmade"; }
        @Override public String description() { return "test architecture"; }
        @Override public List<String> hfArchitectures() { return List.of("HandMadeForCausalLM"); }
        @Override public List<String> modelTypes() { return List.of("handmade"); }
        @Override public ModelSpec parse(ModelConfig config) { throw new UnsupportedOperationException(); }
        @Override public ModelConfig describe(ModelSpec spec) { throw new UnsupportedOperationException(); }

        @Override
        public DecoderBlueprint blueprint(ModelSpec spec) {
            List<DecoderLayer> built = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                LayerConfig c = layers.get(i);
                Attention.Builder attention = Attention.builder(HfNames.q(i), HfNames.k(i), HfNames.v(i), HfNames.o(i))
                        .heads(HEADS, KV_HEADS, HEAD_DIM)
                        .rope(new Rope(c.theta(), c.scaling(), c.pairing(), c.rotaryDims()))
                        .slidingWindow(c.window())
                        .scale(c.scale());
                if (c.qkvBias()) {
                    attention.qkvBias(HfNames.qBias(i), HfNames.kBias(i), HfNames.vBias(i));
                }
                if (c.outputBias()) {
                    attention.outputBias(HfNames.oBias(i));
                }
                if (c.qkNorm()) {
                    attention.qkNorm(new Norm(HfNames.qNorm(i), HEAD_DIM, EPS, c.style()), new Norm(HfNames.kNorm(i), HEAD_DIM, EPS, c.style()));
                }
                Optional<Norm> postAttention = c.postNorms() ? Optional.of(new Norm(postAttentionNorm(i), HIDDEN, EPS, c.style())) : Optional.empty();
                Optional<Norm> postMlp = c.postNorms() ? Optional.of(new Norm(postMlpNorm(i), HIDDEN, EPS, c.style())) : Optional.empty();
                built.add(new DecoderLayer(new Norm(HfNames.attnNorm(i), HIDDEN, EPS, c.style()), attention.build(), postAttention,
                        new Norm(HfNames.ffnNorm(i), HIDDEN, EPS, c.style()),
                        new Mlp(HfNames.gate(i), HfNames.up(i), HfNames.down(i), FFN, c.activation()), postMlp));
            }
            return new DecoderBlueprint(new Embedding(HfNames.EMBED, VOCAB, HIDDEN, EMBEDDING_SCALE), built,
                    new Norm(HfNames.FINAL_NORM, HIDDEN, EPS, FINAL_STYLE), new Head(HfNames.EMBED, true));
        }
    }

    private static final ModelSpec SPEC = ModelSpec.builder().architecture("handmade").hiddenSize(HIDDEN).layers(LAYERS.size())
            .heads(HEADS).kvHeads(KV_HEADS).headDim(HEAD_DIM).ffnSize(FFN).vocabSize(VOCAB).maxPositions(MAX_POSITIONS)
            .tiedEmbeddings(true).build();

    private static final int[] TOKENS = {3, 11, 0, 7, 7, 12, 5, 1, 9, 4};

    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void everyFeatureMatchesTheDefinitionsTokenByTokenAndInOnePrefill() {
        ModelDefinition definition = ModelDefinition.of(new HandMadeArchitecture(LAYERS), SPEC);
        Map<String, float[]> weights = randomWeights(definition, 42);
        double[][] expected = reference(LAYERS, weights, TOKENS);

        try (Kernels kernels = new ScalarKernels()) {
            float[][] actual = engineLogits(definition, weights, kernels, TOKENS);
            for (int t = 0; t < TOKENS.length; t++) {
                assertClose(actual[t], expected[t], "position " + t);
            }
            DecoderModel model = new DecoderModel(definition, kernels);
            DecoderWeights w = DecoderWeights.of(generation(definition, weights));
            float[] last = model.forward(w, ForwardBatch.prefill(TOKENS, 0, model.newCache()));
            assertClose(last, expected[TOKENS.length - 1], "prefill");
        }
    }

    @Test
    void theVectorKernelsAgreeWithTheDefinitionsToo() {
        ModelDefinition definition = ModelDefinition.of(new HandMadeArchitecture(LAYERS), SPEC);
        Map<String, float[]> weights = randomWeights(definition, 7);
        double[][] expected = reference(LAYERS, weights, TOKENS);

        try (Kernels kernels = Kernels.best(1)) {
            float[][] actual = engineLogits(definition, weights, kernels, TOKENS);
            for (int t = 0; t < TOKENS.length; t++) {
                assertClose(actual[t], expected[t], kernels.describe() + ", position " + t);
            }
        }
    }

    /** The comparison is sharp enough to notice each feature: a reference without it disagrees with the engine. */
    @Test
    void aReferenceMissingAnyOneFeatureDisagrees() {
        ModelDefinition definition = ModelDefinition.of(new HandMadeArchitecture(LAYERS), SPEC);
        Map<String, float[]> weights = randomWeights(definition, 42);
        float[][] actual;
        try (Kernels kernels = new ScalarKernels()) {
            actual = engineLogits(definition, weights, kernels, TOKENS);
        }
        Map<String, List<LayerConfig>> variants = new LinkedHashMap<>();
        variants.put("halves instead of interleaved", change(0, b -> { b.pairing = Rope.Pairing.HALVES; return b; }));
        variants.put("interleaved instead of halves", change(1, b -> { b.pairing = Rope.Pairing.INTERLEAVED; return b; }));
        variants.put("full rotary", change(0, b -> { b.rotaryDims = HEAD_DIM; return b; }));
        variants.put("no window", change(0, b -> { b.window = 0; return b; }));
        variants.put("SiLU instead of GELU", change(0, b -> { b.activation = Mlp.Activation.SILU; return b; }));
        variants.put("weight instead of 1 + weight", change(0, b -> { b.style = Norm.Style.WEIGHT; return b; }));
        variants.put("no linear scaling", change(1, b -> { b.scaling = RopeScaling.NONE; return b; }));
        for (Map.Entry<String, List<LayerConfig>> variant : variants.entrySet()) {
            double[][] wrong = reference(variant.getValue(), weights, TOKENS);
            double worst = 0;
            for (int t = 0; t < TOKENS.length; t++) {
                for (int i = 0; i < VOCAB; i++) {
                    worst = Math.max(worst, Math.abs(actual[t][i] - wrong[t][i]));
                }
            }
            assertThat(worst).as(variant.getKey()).isGreaterThan(1e-2);
        }
    }

    private static List<LayerConfig> change(int layer, UnaryOperator<LayerConfig.Builder> change) {
        List<LayerConfig> changed = new ArrayList<>(LAYERS);
        changed.set(layer, LAYERS.get(layer).with(change));
        return changed;
    }

    private static void assertClose(float[] actual, double[] expected, String what) {
        assertThat(actual).as(what).hasSize(expected.length);
        double scale = 1;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as(what + ", logit " + i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4 * scale));
        }
    }

    // ---- the engine ---------------------------------------------------------------------------------

    /** Logits at every position, one decode step at a time. */
    private float[][] engineLogits(ModelDefinition definition, Map<String, float[]> weights, Kernels kernels, int[] tokens) {
        DecoderModel model = new DecoderModel(definition, kernels);
        DecoderWeights w = DecoderWeights.of(generation(definition, weights));
        KvCache cache = model.newCache();
        float[][] out = new float[tokens.length][];
        for (int t = 0; t < tokens.length; t++) {
            out[t] = model.forward(w, new ForwardBatch(new int[] {tokens[t]}, new int[] {t}, new KvCache[] {cache}, new boolean[] {true}));
        }
        return out;
    }

    private WeightGeneration generation(ModelDefinition definition, Map<String, float[]> weights) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (WeightSlot slot : definition.weights().values()) {
            float[] values = weights.get(slot.name());
            MemorySegment data = arena.allocate(values.length * 4L, 8);
            for (int i = 0; i < values.length; i++) {
                data.setAtIndex(F32, i, values[i]);
            }
            tensors.put(slot.name(), new Tensor(new TensorInfo(slot.name(), DType.F32, slot.shape()), data));
        }
        return new WeightGeneration(1, "test", definition, tensors, List.of());
    }

    /** Matrices uniform in ±1.5/sqrt(cols), biases in ±0.5, norm scales around their neutral value (1, or 0 for 1 + weight). */
    private static Map<String, float[]> randomWeights(ModelDefinition definition, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (WeightSlot slot : definition.weights().values()) {
            float[] values = new float[Math.toIntExact(slot.shape().elementCount())];
            boolean zeroCentred = slot.name().contains("norm") && zeroCentred(slot.name());
            for (int i = 0; i < values.length; i++) {
                double u = random.nextDouble() * 2 - 1;
                values[i] = (float) switch (slot.role()) {
                    case MATRIX -> u * 1.5 / Math.sqrt(slot.shape().dim(1));
                    case VECTOR -> slot.name().endsWith(".bias") ? 0.5 * u : (zeroCentred ? 0.5 * u : 1 + 0.5 * u);
                };
            }
            weights.put(slot.name(), values);
        }
        return weights;
    }

    private static boolean zeroCentred(String normName) {
        if (normName.equals(HfNames.FINAL_NORM)) {
            return FINAL_STYLE == Norm.Style.ONE_PLUS_WEIGHT;
        }
        int layer = Integer.parseInt(normName.split("\\.")[2]);
        return LAYERS.get(layer).style() == Norm.Style.ONE_PLUS_WEIGHT;
    }

    // ---- the reference: the published definitions, in double, recomputing everything per position ----

    private static double[][] reference(List<LayerConfig> layers, Map<String, float[]> w, int[] tokens) {
        int n = tokens.length;
        double[][] h = new double[n][HIDDEN];
        float[] embed = w.get(HfNames.EMBED);
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < HIDDEN; i++) {
                h[t][i] = embed[tokens[t] * HIDDEN + i] * EMBEDDING_SCALE;
            }
        }
        for (int l = 0; l < layers.size(); l++) {
            LayerConfig c = layers.get(l);
            double[][] q = new double[n][];
            double[][] k = new double[n][];
            double[][] v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] x = rmsNorm(h[t], w.get(HfNames.attnNorm(l)), c.style());
                q[t] = linear(w.get(HfNames.q(l)), x, HEADS * HEAD_DIM);
                k[t] = linear(w.get(HfNames.k(l)), x, KV_HEADS * HEAD_DIM);
                v[t] = linear(w.get(HfNames.v(l)), x, KV_HEADS * HEAD_DIM);
                if (c.qkvBias()) {
                    addInPlace(q[t], w.get(HfNames.qBias(l)));
                    addInPlace(k[t], w.get(HfNames.kBias(l)));
                    addInPlace(v[t], w.get(HfNames.vBias(l)));
                }
                for (int head = 0; head < HEADS; head++) {
                    if (c.qkNorm()) {
                        normHead(q[t], head, w.get(HfNames.qNorm(l)), c.style());
                    }
                    rope(q[t], head, t, c);
                }
                for (int head = 0; head < KV_HEADS; head++) {
                    if (c.qkNorm()) {
                        normHead(k[t], head, w.get(HfNames.kNorm(l)), c.style());
                    }
                    rope(k[t], head, t, c);
                }
            }
            double[][] next = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] att = new double[HEADS * HEAD_DIM];
                int first = c.window() > 0 ? Math.max(0, t - c.window() + 1) : 0;
                for (int head = 0; head < HEADS; head++) {
                    int kvHead = head / (HEADS / KV_HEADS);
                    double[] scores = new double[t + 1 - first];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = first; s <= t; s++) {
                        double dot = 0;
                        for (int i = 0; i < HEAD_DIM; i++) {
                            dot += q[t][head * HEAD_DIM + i] * k[s][kvHead * HEAD_DIM + i];
                        }
                        scores[s - first] = dot * c.scale();
                        max = Math.max(max, scores[s - first]);
                    }
                    double sum = 0;
                    for (int s = 0; s < scores.length; s++) {
                        scores[s] = Math.exp(scores[s] - max);
                        sum += scores[s];
                    }
                    for (int s = first; s <= t; s++) {
                        for (int i = 0; i < HEAD_DIM; i++) {
                            att[head * HEAD_DIM + i] += scores[s - first] / sum * v[s][kvHead * HEAD_DIM + i];
                        }
                    }
                }
                double[] o = linear(w.get(HfNames.o(l)), att, HIDDEN);
                if (c.outputBias()) {
                    addInPlace(o, w.get(HfNames.oBias(l)));
                }
                if (c.postNorms()) {
                    o = rmsNorm(o, w.get(postAttentionNorm(l)), c.style());
                }
                double[] x = h[t].clone();
                addInPlace(x, o);
                double[] xn = rmsNorm(x, w.get(HfNames.ffnNorm(l)), c.style());
                double[] gate = linear(w.get(HfNames.gate(l)), xn, FFN);
                double[] up = linear(w.get(HfNames.up(l)), xn, FFN);
                double[] act = new double[FFN];
                for (int i = 0; i < FFN; i++) {
                    act[i] = activation(c.activation(), gate[i]) * up[i];
                }
                double[] down = linear(w.get(HfNames.down(l)), act, HIDDEN);
                if (c.postNorms()) {
                    down = rmsNorm(down, w.get(postMlpNorm(l)), c.style());
                }
                addInPlace(x, down);
                next[t] = x;
            }
            h = next;
        }
        double[][] logits = new double[n][];
        for (int t = 0; t < n; t++) {
            logits[t] = linear(embed, rmsNorm(h[t], w.get(HfNames.FINAL_NORM), FINAL_STYLE), VOCAB); // tied head
        }
        return logits;
    }

    /** SiLU: x·σ(x). GELU, tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
    private static double activation(Mlp.Activation activation, double x) {
        return switch (activation) {
            case SILU -> x / (1 + Math.exp(-x));
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        };
    }

    /** RMSNorm: x / sqrt(mean(x²) + eps), times the weight or (Gemma) 1 + weight. */
    private static double[] rmsNorm(double[] x, float[] weight, Norm.Style style) {
        double ss = 0;
        for (double e : x) {
            ss += e * e;
        }
        double inv = 1 / Math.sqrt(ss / x.length + EPS);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double scale = style == Norm.Style.ONE_PLUS_WEIGHT ? 1 + weight[i] : weight[i];
            out[i] = x[i] * inv * scale;
        }
        return out;
    }

    private static void normHead(double[] x, int head, float[] weight, Norm.Style style) {
        double[] part = new double[HEAD_DIM];
        System.arraycopy(x, head * HEAD_DIM, part, 0, HEAD_DIM);
        System.arraycopy(rmsNorm(part, weight, style), 0, x, head * HEAD_DIM, HEAD_DIM);
    }

    /**
     * RoPE on the first rotaryDims elements of a head: pair j (j < rotaryDims/2) is (j, j + rotaryDims/2)
     * for rotate-half, (2j, 2j+1) for GPT-J interleaving; angle position·θ^(-2j/rotaryDims), divided by
     * the factor under linear scaling; (a, b) → (a cos − b sin, a sin + b cos). Other elements pass.
     */
    private static void rope(double[] x, int head, int position, LayerConfig c) {
        int half = c.rotaryDims() / 2;
        for (int j = 0; j < half; j++) {
            double frequency = Math.pow(c.theta(), -2.0 * j / c.rotaryDims());
            if (c.scaling() instanceof RopeScaling.Linear linear) {
                frequency /= linear.factor();
            }
            double angle = position * frequency;
            int a = head * HEAD_DIM + (c.pairing() == Rope.Pairing.HALVES ? j : 2 * j);
            int b = head * HEAD_DIM + (c.pairing() == Rope.Pairing.HALVES ? j + half : 2 * j + 1);
            double x0 = x[a];
            double x1 = x[b];
            x[a] = x0 * Math.cos(angle) - x1 * Math.sin(angle);
            x[b] = x0 * Math.sin(angle) + x1 * Math.cos(angle);
        }
    }

    /** y = W·x for W of [rows, x.length], row-major. */
    private static double[] linear(float[] w, double[] x, int rows) {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int i = 0; i < x.length; i++) {
                sum += w[r * x.length + i] * x[i];
            }
            y[r] = sum;
        }
        return y;
    }

    private static void addInPlace(double[] x, float[] add) {
        for (int i = 0; i < x.length; i++) {
            x[i] += add[i];
        }
    }

    private static void addInPlace(double[] x, double[] add) {
        for (int i = 0; i < x.length; i++) {
            x[i] += add[i];
        }
    }
}
