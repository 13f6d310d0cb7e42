package dev.ingot.engine.model;

import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kernel.WeightMatrix;
import dev.ingot.spi.format.ModelSpec;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

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
    /**
     * Scratch of the last finished call, taken by the next one. Concurrent callers (tests, a
     * generator beside the scheduler) find it taken and allocate their own, so no two passes share arrays.
     */
    private final AtomicReference<ForwardScratch> spare = new AtomicReference<>();

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
        ForwardScratch scratch = spare.getAndSet(null);
        if (scratch == null || scratch.rows < rows) {
            scratch = new ForwardScratch(spec, rows);
        }
        float[] logits = forward(w, batch, scratch);
        if (scratch.worthKeeping()) {
            spare.set(scratch);
        }
        return logits;
    }

    private float[] forward(LlamaWeights w, ForwardBatch batch, ForwardScratch s) {
        int rows = batch.size();
        int dim = spec.hiddenSize();
        int qDim = spec.queryDim();
        int kvDim = spec.kvDim();
        for (int r = 0; r < rows; r++) {
            batch.caches()[r].ensure(batch.positions()[r] + 1);
        }
        float[] x = s.x;
        float[] xn = s.xn;
        float[] q = s.q;
        float[] k = s.k;
        float[] v = s.v;
        float[] delta = s.delta;
        for (int r = 0; r < rows; r++) {
            w.embed(batch.tokens()[r], x, r * dim);
        }

        for (int l = 0; l < spec.layers(); l++) {
            LayerWeights layer = w.layers[l];
            rmsNorm(x, layer.attnNorm(), xn, rows, dim);
            kernels.matmul(new WeightMatrix[] {layer.q(), layer.k(), layer.v()}, xn, s.qkv, rows);
            for (int r = 0; r < rows; r++) {
                KvCache cache = batch.caches()[r];
                int pos = batch.positions()[r];
                rope.rotate(q, r * qDim, spec.heads(), pos);
                rope.rotate(k, r * kvDim, spec.kvHeads(), pos);
                System.arraycopy(k, r * kvDim, cache.keys(l), pos * kvDim, kvDim);
                System.arraycopy(v, r * kvDim, cache.values(l), pos * kvDim, kvDim);
            }
            for (int r = 0; r < rows; r++) {
                attend(l, q, r * qDim, batch.caches()[r], batch.positions()[r], s, r * qDim);
            }
            kernels.matmul(layer.o(), s.att, delta, rows);
            kernels.add(delta, x, rows * dim);

            rmsNorm(x, layer.ffnNorm(), xn, rows, dim);
            kernels.matmul(new WeightMatrix[] {layer.gate(), layer.up()}, xn, s.gateUp, rows);
            kernels.swiglu(s.gate, s.up, rows * spec.ffnSize());
            kernels.matmul(layer.down(), s.gate, delta, rows);
            kernels.add(delta, x, rows * dim);
        }

        int logitRows = batch.logitRows();
        float[] logits = new float[logitRows * spec.vocabSize()];
        if (logitRows == 0) {
            return logits;
        }
        // The rows that want logits, packed: x itself when that is every row (decoding), else copied into delta.
        float[] last = x;
        if (logitRows < rows) {
            last = delta;
            int j = 0;
            for (int r = 0; r < rows; r++) {
                if (batch.wantLogits()[r]) {
                    System.arraycopy(x, r * dim, last, j * dim, dim);
                    j++;
                }
            }
        }
        rmsNorm(last, w.finalNorm, xn, logitRows, dim);
        kernels.matmul(w.lmHead, xn, logits, logitRows);
        return logits;
    }

    /**
     * Causal (optionally windowed) attention of one row's query heads over its cache, into {@code s.att}.
     * Positions are the outer loop, so each cached key and value row ({@code kvDim} floats, all heads) is
     * read once, front to back; head by head the same rows would be read {@code heads} times with a stride,
     * which at batch 8 left attention waiting on memory. Every head's scores and sums are computed exactly
     * as before (per element, in increasing position order), so the loop order does not change a bit.
     */
    private void attend(int layer, float[] q, int qOffset, KvCache cache, int pos, ForwardScratch s, int outOffset) {
        int heads = spec.heads();
        int headDim = spec.headDim();
        int kvDim = spec.kvDim();
        int group = heads / spec.kvHeads();
        int start = spec.slidingWindow() > 0 ? Math.max(0, pos - spec.slidingWindow() + 1) : 0;
        float[] keys = cache.keys(layer);
        float[] values = cache.values(layer);
        int length = pos + 1 - start;
        float[] scores = s.scores(heads * length); // head h's scores at [h * length, (h + 1) * length)
        float[] sums = s.headSums(heads);
        float[] out = s.att;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        for (int t = start; t <= pos; t++) {
            for (int h = 0; h < heads; h++) {
                int kvOffset = (h / group) * headDim;
                scores[h * length + t - start] = kernels.dot(q, qOffset + h * headDim, keys, t * kvDim + kvOffset, headDim) * scale;
            }
        }
        for (int h = 0; h < heads; h++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int i = h * length; i < (h + 1) * length; i++) {
                max = Math.max(max, scores[i]);
            }
            sums[h] = kernels.expShiftedSum(scores, h * length, length, max);
        }
        Arrays.fill(out, outOffset, outOffset + heads * headDim, 0f);
        for (int t = start; t <= pos; t++) {
            for (int h = 0; h < heads; h++) {
                int kvOffset = (h / group) * headDim;
                kernels.axpy(scores[h * length + t - start] / sums[h], values, t * kvDim + kvOffset, out, outOffset + h * headDim, headDim);
            }
        }
    }

    /** {@code out = x / rms(x) * weight}, row by row. */
    private void rmsNorm(float[] x, float[] weight, float[] out, int rows, int dim) {
        for (int r = 0; r < rows; r++) {
            int base = r * dim;
            float ss = kernels.dot(x, base, x, base, dim);
            float inv = (float) (1.0 / Math.sqrt(ss / dim + spec.normEps()));
            kernels.scaleByWeight(x, base, inv, weight, out, base, dim);
        }
    }
}
