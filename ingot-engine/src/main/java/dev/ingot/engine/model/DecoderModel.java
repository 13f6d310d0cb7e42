package dev.ingot.engine.model;

import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kernel.WeightMatrix;
import dev.ingot.engine.kv.BlockLayout;
import dev.ingot.engine.kv.BlockPool;
import dev.ingot.engine.kv.KvDtype;
import dev.ingot.engine.kv.PagedKvCache;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.blueprint.DecoderBlueprint;
import dev.ingot.spi.model.blueprint.DecoderLayer;
import dev.ingot.spi.model.blueprint.Mlp;
import dev.ingot.spi.model.blueprint.Rope;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a {@link DecoderBlueprint} — whatever architecture described it — with the engine's kernels:
 * embedding (optionally scaled), per layer RMSNorm, fused q/k/v projections with optional biases and
 * per-head q/k norms, RoPE, grouped-query attention over the KV cache (optionally windowed), optional
 * post-norms, a gated MLP, then the final norm and the LM head. Stateless apart from its configuration:
 * weights come per call (a pinned generation), state lives in the caches. One pass serves a whole
 * batch, so every weight matrix is read once per step.
 */
public final class DecoderModel {

    private final ModelDefinition definition;
    private final ModelSpec spec;
    private final Kernels kernels;
    private final LayerPlan[] plans;
    private final int[] kvDims;
    private final int dim;
    private final float embeddingScale;
    private final double finalEps;
    private final int maxQDim;
    private final int maxKvDim;
    private final int maxFfn;
    /**
     * Scratch of the last finished call, taken by the next one. Concurrent callers (tests, a
     * generator beside the scheduler) find it taken and allocate their own, so no two passes share arrays.
     */
    private final AtomicReference<ForwardScratch> spare = new AtomicReference<>();
    /**
     * Below this much attention work in a layer (query floats times attended positions, twice: scores and
     * values) the rows run on the calling thread: waking a parked helper costs tens of microseconds, about
     * what one core needs for this many fused multiply-adds.
     */
    private static final long PARALLEL_ATTENTION_FLOATS = 1L << 18;
    /** More tasks than threads, so that a helper that starts late or a busy core does not leave the others idle. */
    private static final int TASKS_PER_THREAD = 4;

    /** {@link #PARALLEL_ATTENTION_FLOATS}, or what a test sets. */
    private final long parallelAttentionFloats;

    public DecoderModel(ModelDefinition definition, Kernels kernels) {
        this(definition, kernels, PARALLEL_ATTENTION_FLOATS);
    }

    /** With the attention work above which a layer's attention is split into tasks (tests split every layer with 0). */
    DecoderModel(ModelDefinition definition, Kernels kernels, long parallelAttentionFloats) {
        this.parallelAttentionFloats = parallelAttentionFloats;
        this.definition = definition;
        this.spec = definition.spec();
        this.kernels = kernels;
        DecoderBlueprint blueprint = definition.blueprint();
        this.dim = blueprint.hiddenSize();
        this.embeddingScale = (float) blueprint.embedding().scale();
        this.finalEps = blueprint.finalNorm().eps();
        Map<String, RotaryEmbedding> ropes = new HashMap<>(); // layers with the same RoPE share one table
        plans = new LayerPlan[blueprint.layers().size()];
        kvDims = new int[plans.length];
        int q = 0;
        int kv = 0;
        int ffn = 0;
        for (int l = 0; l < plans.length; l++) {
            DecoderLayer layer = blueprint.layers().get(l);
            Rope rope = layer.attention().rope();
            int headDim = layer.attention().headDim();
            RotaryEmbedding table = ropes.computeIfAbsent(rope + "/" + headDim,
                    key -> new RotaryEmbedding(rope, headDim, spec.maxPositions()));
            plans[l] = LayerPlan.of(layer, table);
            kvDims[l] = plans[l].kvDim();
            q = Math.max(q, plans[l].qDim());
            kv = Math.max(kv, plans[l].kvDim());
            ffn = Math.max(ffn, plans[l].ffn());
        }
        maxQDim = q;
        maxKvDim = kv;
        maxFfn = ffn;
    }

    public ModelSpec spec() {
        return spec;
    }

    public ModelDefinition definition() {
        return definition;
    }

    public Kernels kernels() {
        return kernels;
    }

    /** A paged F32 cache over a private pool that grows as the sequence does (the scheduler shares one budgeted pool instead). */
    public KvCache newCache() {
        return newCache(spec.maxPositions());
    }

    public KvCache newCache(int maxPositions) {
        int max = Math.min(maxPositions, spec.maxPositions());
        return new PagedKvCache(BlockPool.growable(kvLayout(KvDtype.F32), max), max);
    }

    /** The earlier heap cache: the bit-for-bit reference and benchmark baseline of the paged one. */
    public KvCache newHeapCache(int maxPositions) {
        return new HeapKvCache(kvDims, Math.min(maxPositions, spec.maxPositions()));
    }

    /** How this model's keys and values fill a block of the paged cache. */
    public BlockLayout kvLayout(KvDtype dtype) {
        return BlockLayout.of(kvDims, dtype);
    }

    /**
     * Runs one forward pass and returns the logits of the rows that asked for them,
     * {@code vocabSize} floats per such row, in row order.
     */
    public float[] forward(DecoderWeights w, ForwardBatch batch) {
        int rows = batch.size();
        ForwardScratch scratch = spare.getAndSet(null);
        if (scratch == null || scratch.rows < rows) {
            scratch = new ForwardScratch(dim, maxQDim, maxKvDim, maxFfn, rows);
        }
        float[] logits = forward(w, batch, scratch);
        if (scratch.worthKeeping()) {
            spare.set(scratch);
        }
        return logits;
    }

    private float[] forward(DecoderWeights w, ForwardBatch batch, ForwardScratch s) {
        int rows = batch.size();
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
            w.embed(batch.tokens()[r], embeddingScale, x, r * dim);
        }
        boolean[] storeInTask = alone(batch.caches());

        for (int l = 0; l < plans.length; l++) {
            LayerPlan p = plans[l];
            LayerWeights layer = w.layers[l];
            int qDim = p.qDim();
            int kvDim = p.kvDim();
            rmsNorm(x, layer.inputNorm(), xn, rows, dim, p.inputEps());
            kernels.matmul(new WeightMatrix[] {layer.q(), layer.k(), layer.v()}, xn, s.qkv, rows);
            addBias(layer.qBias(), q, rows, qDim);
            addBias(layer.kBias(), k, rows, kvDim);
            addBias(layer.vBias(), v, rows, kvDim);
            for (int r = 0; r < rows; r++) {
                KvCache cache = batch.caches()[r];
                int pos = batch.positions()[r];
                if (layer.qNorm() != null) {
                    rmsNorm(q, r * qDim, layer.qNorm(), p.heads(), p.headDim(), p.qkEps());
                    rmsNorm(k, r * kvDim, layer.kNorm(), p.kvHeads(), p.headDim(), p.qkEps());
                }
                p.rope().rotate(q, r * qDim, p.heads(), pos);
                p.rope().rotate(k, r * kvDim, p.kvHeads(), pos);
                if (!storeInTask[r]) {
                    cache.store(l, pos, k, r * kvDim, v, r * kvDim);
                }
            }
            attendRows(l, p, batch, s, storeInTask);
            kernels.matmul(layer.o(), s.att, delta, rows);
            addBias(layer.oBias(), delta, rows, dim);
            if (layer.postAttentionNorm() != null) {
                rmsNorm(delta, layer.postAttentionNorm(), delta, rows, dim, p.postAttentionEps());
            }
            kernels.add(delta, x, rows * dim);

            rmsNorm(x, layer.mlpNorm(), xn, rows, dim, p.mlpEps());
            kernels.matmul(new WeightMatrix[] {layer.gate(), layer.up()}, xn, s.gateUp, rows);
            if (p.activation() == Mlp.Activation.SILU) {
                kernels.swiglu(s.gate, s.up, rows * p.ffn());
            } else {
                kernels.geglu(s.gate, s.up, rows * p.ffn());
            }
            kernels.matmul(layer.down(), s.gate, delta, rows);
            if (layer.postMlpNorm() != null) {
                rmsNorm(delta, layer.postMlpNorm(), delta, rows, dim, p.postMlpEps());
            }
            kernels.add(delta, x, rows * dim);
        }

        int vocab = w.lmHead.rows();
        int logitRows = batch.logitRows();
        float[] logits = new float[logitRows * vocab];
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
        rmsNorm(last, w.finalNorm, xn, logitRows, dim, finalEps);
        kernels.matmul(w.lmHead, xn, logits, logitRows);
        return logits;
    }

    /** {@code x[r * n + i] += bias[i]}, for layers whose blueprint has the bias. */
    private static void addBias(float[] bias, float[] x, int rows, int n) {
        if (bias == null) {
            return;
        }
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            for (int i = 0; i < n; i++) {
                x[base + i] += bias[i];
            }
        }
    }

    /**
     * The rows that are their cache's only row in the batch (a decoding sequence), whose position no other row
     * attends to. Their attention task stores the keys and values it is about to read itself: the stores run on all
     * kernel threads instead of serially on the caller, and the row's last block is in cache when its scores are
     * computed. The rows of a prompt chunk (one cache, several rows) are stored before any row attends.
     */
    private static boolean[] alone(KvCache[] caches) {
        Map<KvCache, Integer> rows = new IdentityHashMap<>();
        for (KvCache cache : caches) {
            rows.merge(cache, 1, Integer::sum);
        }
        boolean[] alone = new boolean[caches.length];
        for (int r = 0; r < caches.length; r++) {
            alone[r] = rows.get(caches[r]) == 1;
        }
        return alone;
    }

    /**
     * Attention of every row of the batch into {@code s.att}, each row with {@code store[r]} first storing its keys
     * and values of this layer (see {@link #alone}). The rows are independent (every row's key and value were stored
     * before, or are stored by the task that attends), and so are the KV heads of a row, so when there is enough of
     * it to be worth handing to the helper threads the work is cut into tasks, each with its own score buffer: with at least
     * as many rows as tasks, rows are dealt out round-robin (neighbouring rows of a prefill chunk differ in
     * length by one); with fewer (one long sequence decoding), each row's KV heads are cut into ranges as
     * well, so a lone sequence's attention no longer runs on one core while the other idles. Every head is
     * computed by one task exactly as on one thread, so the split changes no bit.
     */
    private void attendRows(int layer, LayerPlan p, ForwardBatch batch, ForwardScratch s, boolean[] store) {
        int rows = batch.size();
        int qDim = p.qDim();
        int kvDim = p.kvDim();
        int headDim = p.headDim();
        long work = 0;
        for (int r = 0; r < rows; r++) {
            work += (long) attendedPositions(p, batch.positions()[r]) * qDim * 2;
        }
        int wanted = work < parallelAttentionFloats ? 1 : kernels.threads() * TASKS_PER_THREAD;
        int parts = rows >= wanted ? 1 : Math.min(p.kvHeads(), (wanted + rows - 1) / rows); // head ranges per row
        int tasks = parts == 1 ? Math.min(rows, wanted) : rows * parts;
        int rowStride = tasks / parts;
        AttentionScratch[] scratch = s.attention(tasks);
        float[] q = s.q;
        kernels.parallelFor(tasks, task -> {
            int part = task % parts;
            int kvFrom = part * p.kvHeads() / parts;
            int kvTo = (part + 1) * p.kvHeads() / parts;
            for (int r = task / parts; r < rows; r += rowStride) {
                KvCache cache = batch.caches()[r];
                int pos = batch.positions()[r];
                if (store[r]) {
                    cache.store(layer, pos, s.k, r * kvDim, s.v, r * kvDim, kvFrom * headDim, kvTo * headDim);
                }
                attend(layer, p, q, r * qDim, cache, pos, kvFrom, kvTo, scratch[task], s.att, r * qDim);
            }
        });
    }

    /** Positions a row at {@code pos} attends to: all before it and itself, or the last {@code window}. */
    private static int attendedPositions(LayerPlan p, int pos) {
        return p.window() > 0 ? Math.min(pos + 1, p.window()) : pos + 1;
    }

    /**
     * Causal (optionally windowed) attention of one row's query heads that read KV heads {@code [kvFrom, kvTo)},
     * over its cache, into their part of {@code out}. Positions are the outer loop, so each cached key and
     * value row is read once, front to back; head by head the same rows would be read {@code heads} times with
     * a stride, which at batch 8 left attention waiting on memory. Every head's scores and sums are computed
     * exactly as before (per element, in increasing position order), so neither the loop order nor the head
     * range changes a bit.
     */
    private void attend(int layer, LayerPlan p, float[] q, int qOffset, KvCache cache, int pos, int kvFrom, int kvTo,
            AttentionScratch s, float[] out, int outOffset) {
        switch (cache) {
            case PagedKvCache paged -> attend(layer, p, q, qOffset, paged, pos, kvFrom, kvTo, s, out, outOffset);
            case HeapKvCache heap -> attend(layer, p, q, qOffset, heap, pos, kvFrom, kvTo, s, out, outOffset);
            default -> throw new IllegalArgumentException("no attention over a " + cache.getClass().getName());
        }
    }

    /**
     * The heap cache's attention reading the blocks of a paged cache in place, one kernel call per block: every
     * score (with {@link Kernels#scoreDot}'s arithmetic, as the heap cache scores) and every value step is computed
     * as there, in the same position order, so an F32 paged cache gives the heap cache's logits bit for bit.
     */
    private void attend(int layer, LayerPlan p, float[] q, int qOffset, PagedKvCache cache, int pos, int kvFrom, int kvTo,
            AttentionScratch s, float[] out, int outOffset) {
        int headDim = p.headDim();
        int group = p.group();
        int heads = (kvTo - kvFrom) * group;
        int qAt = qOffset + kvFrom * group * headDim; // the first query head of the range, in q and in out
        int outAt = outOffset + kvFrom * group * headDim;
        int start = p.window() > 0 ? Math.max(0, pos - p.window() + 1) : 0;
        BlockLayout layout = cache.layout();
        boolean bf16 = layout.dtype() == KvDtype.BF16;
        long rowBytes = (long) p.kvDim() * layout.dtype().bytes();
        long kvSkip = (long) kvFrom * headDim * layout.dtype().bytes(); // the range's first KV head within a position's value row
        long keys = layout.keyOffset(layer, kvFrom * headDim, 0); // the range's first key channel
        int blockPositions = layout.positions();
        int length = pos + 1 - start;
        float[] scores = s.scores(heads * length); // the range's head h at [h * length, (h + 1) * length)
        for (int t = start; t <= pos; ) {
            int slot = t % blockPositions;
            int slots = Math.min(blockPositions - slot, pos + 1 - t);
            kernels.blockScores(bf16, q, qAt, heads, headDim, group, p.scale(), cache.block(t), keys, blockPositions, slot, slots,
                    scores, t - start, length);
            t += slots;
        }
        for (int h = 0; h < heads; h++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int i = h * length; i < (h + 1) * length; i++) {
                max = Math.max(max, scores[i]);
            }
            float sum = kernels.expShiftedSum(scores, h * length, length, max);
            // The softmax weights, divided once per position and head as the heap path divides (the same quotients).
            for (int i = h * length; i < (h + 1) * length; i++) {
                scores[i] /= sum;
            }
        }
        Arrays.fill(out, outAt, outAt + heads * headDim, 0f);
        for (int t = start; t <= pos; ) {
            int slot = t % blockPositions;
            int slots = Math.min(blockPositions - slot, pos + 1 - t);
            kernels.blockValues(bf16, scores, t - start, length, heads, headDim, group, cache.block(t),
                    layout.valueOffset(layer, slot) + kvSkip, rowBytes, slots, out, outAt);
            t += slots;
        }
    }

    /**
     * Attention over the heap cache's rows: the paged cache's reference. Scores use {@link Kernels#rowScores}, the
     * one fused multiply-add chain per score that the paged kernels compute lane by lane over transposed keys.
     */
    private void attend(int layer, LayerPlan p, float[] q, int qOffset, HeapKvCache cache, int pos, int kvFrom, int kvTo,
            AttentionScratch s, float[] out, int outOffset) {
        int headDim = p.headDim();
        int kvDim = p.kvDim();
        int group = p.group();
        int first = kvFrom * group; // query heads [first, first + heads)
        int heads = (kvTo - kvFrom) * group;
        int start = p.window() > 0 ? Math.max(0, pos - p.window() + 1) : 0;
        float[] keys = cache.keys(layer);
        float[] values = cache.values(layer);
        int length = pos + 1 - start;
        float[] scores = s.scores(heads * length); // the range's head h at [h * length, (h + 1) * length)
        float[] sums = s.headSums(heads);
        float scale = p.scale();
        for (int h = 0; h < heads; h++) {
            int kvOffset = ((first + h) / group) * headDim;
            kernels.rowScores(q, qOffset + (first + h) * headDim, keys, start * kvDim + kvOffset, kvDim, length, headDim, scale,
                    scores, h * length);
        }
        for (int h = 0; h < heads; h++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int i = h * length; i < (h + 1) * length; i++) {
                max = Math.max(max, scores[i]);
            }
            sums[h] = kernels.expShiftedSum(scores, h * length, length, max);
        }
        Arrays.fill(out, outOffset + first * headDim, outOffset + (first + heads) * headDim, 0f);
        for (int t = start; t <= pos; t++) {
            for (int h = 0; h < heads; h++) {
                int kvOffset = ((first + h) / group) * headDim;
                kernels.axpy(scores[h * length + t - start] / sums[h], values, t * kvDim + kvOffset, out,
                        outOffset + (first + h) * headDim, headDim);
            }
        }
    }

    /** {@code out = x / rms(x) * weight}, row by row ({@code out} may be {@code x}). */
    private void rmsNorm(float[] x, float[] weight, float[] out, int rows, int n, double eps) {
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            float ss = kernels.dot(x, base, x, base, n);
            float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
            kernels.scaleByWeight(x, base, inv, weight, out, base, n);
        }
    }

    /** Per-head RMSNorm in place: {@code heads} consecutive heads of {@code headDim} from {@code offset}. */
    private void rmsNorm(float[] x, int offset, float[] weight, int heads, int headDim, double eps) {
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headDim;
            float ss = kernels.dot(x, base, x, base, headDim);
            float inv = (float) (1.0 / Math.sqrt(ss / headDim + eps));
            kernels.scaleByWeight(x, base, inv, weight, x, base, headDim);
        }
    }
}
