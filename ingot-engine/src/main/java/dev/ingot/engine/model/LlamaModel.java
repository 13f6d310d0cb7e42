package dev.ingot.engine.model;

import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kernel.WeightMatrix;
import dev.ingot.spi.format.ModelSpec;

/**
 * The Llama-family decoder (Llama 2/3, Mistral): token embedding, RMSNorm, rotate-half RoPE,
 * grouped-query attention over a KV cache, SwiGLU MLP, tied or separate LM head. Stateless apart
 * from its configuration: weights come per call (a pinned generation), state lives in the caches.
 * One pass serves a whole batch, so every weight matrix is read once per step.
 */
public final class LlamaModel {

    private final ModelSpec spec;
    private final Kernels kernels;
    private final RotaryEmbedding rope;

    public LlamaModel(ModelSpec spec, Kernels kernels) {
        this.spec = spec;
        this.kernels = kernels;
        this.rope = new RotaryEmbedding(spec);
    }

    public ModelSpec spec() {
        return spec;
    }

    public Kernels kernels() {
        return kernels;
    }

    public KvCache newCache() {
        return new KvCache(spec.layers(), spec.kvDim(), spec.maxPositions());
    }

    public KvCache newCache(int maxPositions) {
        return new KvCache(spec.layers(), spec.kvDim(), Math.min(maxPositions, spec.maxPositions()));
    }

    /**
     * Runs one forward pass and returns the logits of the rows that asked for them,
     * {@code vocabSize} floats per such row, in row order.
     */
    public float[] forward(LlamaWeights w, ForwardBatch batch) {
        int rows = batch.size();
        int dim = spec.hiddenSize();
        int qDim = spec.queryDim();
        int kvDim = spec.kvDim();
        int ffn = spec.ffnSize();
        for (int r = 0; r < rows; r++) {
            batch.caches()[r].ensure(batch.positions()[r] + 1);
        }

        float[] x = new float[rows * dim];
        float[] xn = new float[rows * dim];
        float[] q = new float[rows * qDim];
        float[] k = new float[rows * kvDim];
        float[] v = new float[rows * kvDim];
        float[] att = new float[rows * qDim];
        float[] gate = new float[rows * ffn];
        float[] up = new float[rows * ffn];
        float[] delta = new float[rows * dim];
        float[][] qkv = {q, k, v};
        float[][] gateUp = {gate, up};
        int half = spec.headDim() / 2;
        float[] cos = new float[rows * half];
        float[] sin = new float[rows * half];
        float[] rowCos = new float[half];
        float[] rowSin = new float[half];

        for (int r = 0; r < rows; r++) {
            w.embed(batch.tokens()[r], x, r * dim);
            rope.angles(batch.positions()[r], rowCos, rowSin);
            System.arraycopy(rowCos, 0, cos, r * half, half);
            System.arraycopy(rowSin, 0, sin, r * half, half);
        }

        for (int l = 0; l < spec.layers(); l++) {
            LayerWeights layer = w.layers[l];
            rmsNorm(x, layer.attnNorm(), xn, rows, dim);
            kernels.matmul(new WeightMatrix[] {layer.q(), layer.k(), layer.v()}, xn, qkv, rows);
            for (int r = 0; r < rows; r++) {
                System.arraycopy(cos, r * half, rowCos, 0, half);
                System.arraycopy(sin, r * half, rowSin, 0, half);
                rope.rotate(q, r * qDim, spec.heads(), rowCos, rowSin);
                rope.rotate(k, r * kvDim, spec.kvHeads(), rowCos, rowSin);
                KvCache cache = batch.caches()[r];
                int pos = batch.positions()[r];
                System.arraycopy(k, r * kvDim, cache.keys(l), pos * kvDim, kvDim);
                System.arraycopy(v, r * kvDim, cache.values(l), pos * kvDim, kvDim);
            }
            for (int r = 0; r < rows; r++) {
                attend(l, q, r * qDim, batch.caches()[r], batch.positions()[r], att, r * qDim);
            }
            kernels.matmul(layer.o(), att, delta, rows);
            add(x, delta);

            rmsNorm(x, layer.ffnNorm(), xn, rows, dim);
            kernels.matmul(new WeightMatrix[] {layer.gate(), layer.up()}, xn, gateUp, rows);
            swiglu(gate, up);
            kernels.matmul(layer.down(), gate, delta, rows);
            add(x, delta);
        }

        int logitRows = batch.logitRows();
        float[] last = new float[logitRows * dim];
        int j = 0;
        for (int r = 0; r < rows; r++) {
            if (batch.wantLogits()[r]) {
                System.arraycopy(x, r * dim, last, j * dim, dim);
                j++;
            }
        }
        float[] lastNormed = new float[logitRows * dim];
        rmsNorm(last, w.finalNorm, lastNormed, logitRows, dim);
        float[] logits = new float[logitRows * spec.vocabSize()];
        if (logitRows > 0) {
            kernels.matmul(w.lmHead, lastNormed, logits, logitRows);
        }
        return logits;
    }

    /** Causal (optionally windowed) attention of one row's query heads over its cache. */
    private void attend(int layer, float[] q, int qOffset, KvCache cache, int pos, float[] out, int outOffset) {
        int headDim = spec.headDim();
        int kvDim = spec.kvDim();
        int group = spec.heads() / spec.kvHeads();
        int start = spec.slidingWindow() > 0 ? Math.max(0, pos - spec.slidingWindow() + 1) : 0;
        float[] keys = cache.keys(layer);
        float[] values = cache.values(layer);
        float[] scores = new float[pos + 1 - start];
        float scale = (float) (1.0 / Math.sqrt(headDim));
        for (int h = 0; h < spec.heads(); h++) {
            int kvOffset = (h / group) * headDim;
            int qh = qOffset + h * headDim;
            float max = Float.NEGATIVE_INFINITY;
            for (int t = start; t <= pos; t++) {
                float s = kernels.dot(q, qh, keys, t * kvDim + kvOffset, headDim) * scale;
                scores[t - start] = s;
                max = Math.max(max, s);
            }
            float sum = 0f;
            for (int i = 0; i < scores.length; i++) {
                scores[i] = (float) Math.exp(scores[i] - max);
                sum += scores[i];
            }
            int oh = outOffset + h * headDim;
            java.util.Arrays.fill(out, oh, oh + headDim, 0f);
            for (int t = start; t <= pos; t++) {
                kernels.axpy(scores[t - start] / sum, values, t * kvDim + kvOffset, out, oh, headDim);
            }
        }
    }

    /** {@code out = x / rms(x) * weight}, row by row. */
    private void rmsNorm(float[] x, float[] weight, float[] out, int rows, int dim) {
        for (int r = 0; r < rows; r++) {
            int base = r * dim;
            float ss = kernels.dot(x, base, x, base, dim);
            float inv = (float) (1.0 / Math.sqrt(ss / dim + spec.normEps()));
            for (int i = 0; i < dim; i++) {
                out[base + i] = weight[i] * (inv * x[base + i]);
            }
        }
    }

    /** {@code gate = silu(gate) * up}. */
    private static void swiglu(float[] gate, float[] up) {
        for (int i = 0; i < gate.length; i++) {
            float g = gate[i];
            gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    }

    private static void add(float[] x, float[] delta) {
        for (int i = 0; i < x.length; i++) {
            x[i] += delta[i];
        }
    }
}
