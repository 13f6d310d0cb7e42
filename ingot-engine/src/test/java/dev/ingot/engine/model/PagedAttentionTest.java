package dev.ingot.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.kernel.ScalarKernels;
import dev.ingot.engine.kernel.VectorKernels;
import dev.ingot.engine.kv.BlockPool;
import dev.ingot.engine.kv.KvDtype;
import dev.ingot.engine.kv.PagedKvCache;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.testing.RandomModel;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.testkit.SharedModels;
import java.util.Arrays;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The paged cache against the heap cache it replaced, on the same tokens: an F32 paged cache must give
 * the same logits bit for bit (prefill in chunks that straddle blocks, then decode rows), a BF16 one logits
 * within a stated bound.
 */
class PagedAttentionTest {

    /** Chunks of 7 rows: most straddle a 16-position block boundary. */
    private static final int CHUNK = 7;

    @Test
    void anF32PagedCacheGivesTheHeapCachesLogitsBitForBitOnTheStoriesModel() throws Exception {
        try (LoadedModel loaded = ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()))) {
            int[] tokens = storyTokens(loaded);
            WeightGeneration generation = loaded.weights().acquire();
            try {
                DecoderModel model = loaded.model();
                float[][] heap = logits(model, DecoderWeights.of(generation), tokens, () -> model.newHeapCache(tokens.length));
                float[][] paged = logits(model, DecoderWeights.of(generation), tokens, () -> model.newCache(tokens.length));
                for (int i = 0; i < tokens.length; i++) {
                    assertThat(paged[i]).as("logits at position %d", i).isEqualTo(heap[i]);
                }
            } finally {
                generation.unpin();
            }
        }
    }

    @Test
    void anF32PagedCacheGivesTheHeapCachesLogitsBitForBitWithScalarKernelsAndGroupedHeads() {
        DecoderModel model = RandomModel.model();
        WeightGeneration generation = RandomModel.generation(1, 3);
        int[] tokens = new int[90];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (i * 37 + 11) % RandomModel.SPEC.vocabSize();
        }
        float[][] heap = logits(model, DecoderWeights.of(generation), tokens, () -> model.newHeapCache(96));
        float[][] paged = logits(model, DecoderWeights.of(generation), tokens, () -> model.newCache(96));
        for (int i = 0; i < tokens.length; i++) {
            assertThat(paged[i]).as("logits at position %d", i).isEqualTo(heap[i]);
        }
    }

    /**
     * Attention cut into tasks on two kernel threads in every layer (the threshold at 0): decode rows, one
     * sequence alone, have their KV heads cut into ranges, and prefill chunks of 7 rows, fewer than the 8 tasks
     * wanted, too. Each head is still computed by one task exactly as on one thread, so the logits are the
     * unsplit heap cache's bit for bit, for the heap cache, the F32 paged cache and (against itself) BF16.
     */
    @Test
    void attentionSplitByHeadsAcrossThreadsGivesTheUnsplitLogitsBitForBit() throws Exception {
        try (LoadedModel loaded = ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()));
                VectorKernels twoThreads = new VectorKernels(2)) {
            int[] tokens = storyTokens(loaded);
            WeightGeneration generation = loaded.weights().acquire();
            try {
                DecoderWeights weights = DecoderWeights.of(generation);
                DecoderModel unsplit = new DecoderModel(loaded.model().definition(), twoThreads, Long.MAX_VALUE);
                DecoderModel split = new DecoderModel(loaded.model().definition(), twoThreads, 0);
                float[][] reference = logits(unsplit, weights, tokens, () -> unsplit.newHeapCache(tokens.length));
                float[][] heap = logits(split, weights, tokens, () -> split.newHeapCache(tokens.length));
                float[][] paged = logits(split, weights, tokens, () -> split.newCache(tokens.length));
                Supplier<KvCache> bf16 = () -> new PagedKvCache(BlockPool.growable(split.kvLayout(KvDtype.BF16), tokens.length), tokens.length);
                float[][] bf16Unsplit = logits(unsplit, weights, tokens, bf16);
                float[][] bf16Split = logits(split, weights, tokens, bf16);
                for (int i = 0; i < tokens.length; i++) {
                    assertThat(heap[i]).as("split heap logits at position %d", i).isEqualTo(reference[i]);
                    assertThat(paged[i]).as("split paged F32 logits at position %d", i).isEqualTo(reference[i]);
                    assertThat(bf16Split[i]).as("split paged BF16 logits at position %d", i).isEqualTo(bf16Unsplit[i]);
                }
            } finally {
                generation.unpin();
            }
        }
    }

    /** The same with grouped heads (4 query heads on 2 KV heads: a range holds whole groups) on the scalar kernels. */
    @Test
    void attentionSplitByHeadsKeepsGroupedHeadsTogether() {
        DecoderModel unsplit = new DecoderModel(RandomModel.DEFINITION, new ScalarKernels(), Long.MAX_VALUE);
        DecoderModel split = new DecoderModel(RandomModel.DEFINITION, new ScalarKernels(), 0);
        WeightGeneration generation = RandomModel.generation(1, 5);
        int[] tokens = new int[90];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (i * 41 + 3) % RandomModel.SPEC.vocabSize();
        }
        float[][] reference = logits(unsplit, DecoderWeights.of(generation), tokens, () -> unsplit.newHeapCache(96));
        float[][] paged = logits(split, DecoderWeights.of(generation), tokens, () -> split.newCache(96));
        float[][] heap = logits(split, DecoderWeights.of(generation), tokens, () -> split.newHeapCache(96));
        for (int i = 0; i < tokens.length; i++) {
            assertThat(paged[i]).as("split paged logits at position %d", i).isEqualTo(reference[i]);
            assertThat(heap[i]).as("split heap logits at position %d", i).isEqualTo(reference[i]);
        }
    }

    /**
     * A decode step whose rows each have their own cache stores every row's keys and values inside the attention
     * tasks, each task the KV heads it reads (the threshold at 0 splits every layer: 9 rows are dealt to 8 tasks, 3
     * rows have their KV heads cut into ranges). Some sequences share their prompt's blocks (copies, as the choices
     * of one request: the first write copies the shared block), and one step carries a new prompt's chunk too (its
     * rows share a cache and are stored before any attends). Every row's logits must be those of its sequence
     * computed alone as one chunk on one thread, bit for bit: against the heap cache for F32, against the same
     * chunked path for BF16.
     */
    @Test
    void decodeRowsThatStoreTheirKvInTheAttentionTasksGiveEachSequencesAloneLogitsBitForBit() {
        WeightGeneration generation = RandomModel.generation(1, 7);
        DecoderWeights weights = DecoderWeights.of(generation);
        try (VectorKernels twoThreads = new VectorKernels(2)) {
            DecoderModel split = new DecoderModel(RandomModel.DEFINITION, twoThreads, 0);
            DecoderModel alone = new DecoderModel(RandomModel.DEFINITION, twoThreads, Long.MAX_VALUE);
            for (int sequences : new int[] {3, 9}) {
                for (KvDtype dtype : KvDtype.values()) {
                    int[] prompts = new int[sequences];
                    for (int i = 0; i < sequences; i++) {
                        prompts[i] = 19 - (i * 7) % 19; // 1..19 positions, the first the longest: blocks of 16 are crossed at different steps
                    }
                    int steps = 20;
                    BlockPool pool = BlockPool.growable(split.kvLayout(dtype), 64 * 2 * sequences); // shared, as the scheduler's
                    Supplier<KvCache> newCache = () -> new PagedKvCache(pool, 64);
                    KvCache[] caches = new KvCache[sequences];
                    int[][] tokens = new int[sequences][];
                    for (int i = 0; i < sequences; i++) {
                        tokens[i] = new int[prompts[i] + steps];
                        for (int t = 0; t < tokens[i].length; t++) {
                            // sequences 1 and 2 start with sequence 0's prompt when theirs is as long (shared blocks)
                            int owner = t < prompts[i] && i <= 2 && prompts[0] >= prompts[i] ? 0 : i;
                            tokens[i][t] = (t * 31 + owner * 17 + 5) % RandomModel.SPEC.vocabSize();
                        }
                    }
                    KvCache first = newCache.get();
                    split.forward(weights, ForwardBatch.prefill(Arrays.copyOf(tokens[0], prompts[0]), 0, first));
                    caches[0] = first;
                    for (int i = 1; i < sequences; i++) {
                        boolean shares = i <= 2 && prompts[0] >= prompts[i];
                        caches[i] = shares ? first.copy(prompts[i]) : newCache.get();
                        if (!shares) {
                            split.forward(weights, ForwardBatch.prefill(Arrays.copyOf(tokens[i], prompts[i]), 0, caches[i]));
                        }
                    }
                    int vocab = RandomModel.SPEC.vocabSize();
                    float[][][] batched = new float[sequences][steps][];
                    // At step 4 a new prompt's chunk of 6 rows (one cache) rides along: those rows are stored before any attends.
                    int[] rider = {3, 1, 4, 1, 5, 9};
                    KvCache riderCache = newCache.get();
                    float[] riderLogits = null;
                    for (int step = 0; step < steps; step++) {
                        int extra = step == 4 ? rider.length : 0;
                        int[] row = new int[sequences + extra];
                        int[] positions = new int[sequences + extra];
                        KvCache[] rowCaches = Arrays.copyOf(caches, sequences + extra);
                        boolean[] want = new boolean[sequences + extra];
                        Arrays.fill(want, true);
                        for (int i = 0; i < sequences; i++) {
                            positions[i] = prompts[i] + step;
                            row[i] = tokens[i][positions[i]];
                        }
                        for (int t = 0; t < extra; t++) {
                            row[sequences + t] = rider[t];
                            positions[sequences + t] = t;
                            rowCaches[sequences + t] = riderCache;
                        }
                        float[] flat = split.forward(weights, new ForwardBatch(row, positions, rowCaches, want));
                        for (int i = 0; i < sequences; i++) {
                            batched[i][step] = Arrays.copyOfRange(flat, i * vocab, (i + 1) * vocab);
                        }
                        if (extra > 0) {
                            riderLogits = Arrays.copyOfRange(flat, (sequences + extra - 1) * vocab, (sequences + extra) * vocab);
                        }
                    }
                    Supplier<KvCache> referenceCache = () -> dtype == KvDtype.F32 ? alone.newHeapCache(64) : newCache.get();
                    for (int i = 0; i < sequences; i++) {
                        float[] flat = chunkLogits(alone, weights, tokens[i], referenceCache.get());
                        for (int step = 0; step < steps; step++) {
                            int at = prompts[i] + step;
                            assertThat(batched[i][step]).as("%s, %d sequences: sequence %d at position %d", dtype, sequences, i, at)
                                    .isEqualTo(Arrays.copyOfRange(flat, at * vocab, (at + 1) * vocab));
                        }
                    }
                    float[] riderAlone = chunkLogits(alone, weights, rider, referenceCache.get());
                    assertThat(riderLogits).as("%s, %d sequences: the prompt chunk's last row", dtype, sequences)
                            .isEqualTo(Arrays.copyOfRange(riderAlone, (rider.length - 1) * vocab, rider.length * vocab));
                }
            }
        }
    }

    /** Every position's logits of {@code tokens} computed as one chunk of rows into {@code cache}, flat. */
    private static float[] chunkLogits(DecoderModel model, DecoderWeights weights, int[] tokens, KvCache cache) {
        int n = tokens.length;
        int[] positions = new int[n];
        KvCache[] same = new KvCache[n];
        boolean[] want = new boolean[n];
        for (int t = 0; t < n; t++) {
            positions[t] = t;
            same[t] = cache;
            want[t] = true;
        }
        return model.forward(weights, new ForwardBatch(tokens, positions, same, want));
    }

    /**
     * BF16 keeps 8 significant bits of each key and value (relative error at most 2^-9). Through five layers of
     * this model, whose logits reach magnitudes of about 20, that moves a logit by less than 0.5 (measured: 0.20
     * at worst over these 256 positions), the bound the BF16 weights test uses too; greedy choices may flip only
     * where F32 itself has a near tie.
     */
    @Test
    void aBf16PagedCacheStaysWithinRoundingOfF32() throws Exception {
        try (LoadedModel loaded = ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()))) {
            int[] tokens = storyTokens(loaded);
            WeightGeneration generation = loaded.weights().acquire();
            try {
                DecoderModel model = loaded.model();
                float[][] f32 = logits(model, DecoderWeights.of(generation), tokens, () -> model.newHeapCache(tokens.length));
                float[][] bf16 = logits(model, DecoderWeights.of(generation), tokens,
                        () -> new PagedKvCache(BlockPool.growable(model.kvLayout(KvDtype.BF16), tokens.length), tokens.length));
                double worst = 0;
                int differ = 0;
                for (int i = 0; i < tokens.length; i++) {
                    double diff = maxAbsDiff(bf16[i], f32[i]);
                    worst = Math.max(worst, diff);
                    assertThat(diff).as("BF16 logits at position %d", i).isLessThan(0.5);
                    int chosen = argmax(bf16[i]);
                    int expected = argmax(f32[i]);
                    if (chosen != expected) {
                        assertThat((double) (f32[i][expected] - f32[i][chosen])).as("flip at %d", i).isLessThan(1.0);
                    }
                    if (!Arrays.equals(bf16[i], f32[i])) {
                        differ++;
                    }
                }
                assertThat(differ).as("BF16 storage really rounds").isPositive();
                System.out.printf("BF16 KV: largest logit difference %.4f over %d positions%n", worst, tokens.length);
            } finally {
                generation.unpin();
            }
        }
    }

    /** run.c's greedy story after "Once upon a time": 256 positions, the model's trained context is 512. */
    private static int[] storyTokens(LoadedModel loaded) {
        Generator generator = new Generator(loaded);
        int[] prompt = generator.encodePrompt("Once upon a time");
        int[] generated = generator.generate(prompt, SamplingParams.greedy(), 252, 0, t -> { }).tokenIds();
        int[] all = Arrays.copyOf(prompt, prompt.length + generated.length - 1);
        System.arraycopy(generated, 0, all, prompt.length, generated.length - 1);
        return all;
    }

    /**
     * Logits at every position: the first half prefilled in chunks (all rows asking for logits), the rest
     * decoded one row per pass — the two ways the scheduler writes a cache.
     */
    private static float[][] logits(DecoderModel model, DecoderWeights weights, int[] tokens, Supplier<KvCache> newCache) {
        KvCache cache = newCache.get();
        int vocab = model.spec().vocabSize();
        float[][] out = new float[tokens.length][];
        int half = tokens.length / 2;
        for (int from = 0; from < half; from += CHUNK) {
            int count = Math.min(CHUNK, half - from);
            int[] chunk = Arrays.copyOfRange(tokens, from, from + count);
            int[] positions = new int[count];
            KvCache[] caches = new KvCache[count];
            boolean[] want = new boolean[count];
            for (int i = 0; i < count; i++) {
                positions[i] = from + i;
                caches[i] = cache;
                want[i] = true;
            }
            float[] flat = model.forward(weights, new ForwardBatch(chunk, positions, caches, want));
            for (int i = 0; i < count; i++) {
                out[from + i] = Arrays.copyOfRange(flat, i * vocab, (i + 1) * vocab);
            }
        }
        for (int p = half; p < tokens.length; p++) {
            out[p] = model.forward(weights, ForwardBatch.prefill(new int[] {tokens[p]}, p, cache));
        }
        return out;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
