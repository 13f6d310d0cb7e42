package dev.ingot.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.kernel.VectorKernels;
import dev.ingot.engine.testing.RandomModel;
import dev.ingot.engine.weights.WeightGeneration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The serving kernels (vector exp, vector norms, reused scratch) must give a row the same logits bit
 * for bit whether it runs alone or beside other rows, and whichever thread runs it: the scheduler's
 * seed reproducibility rests on that.
 */
class BatchInvarianceTest {

    private static final int[] PROMPT_LENGTHS = {3, 11, 26};

    private static VectorKernels kernels;
    private static WeightGeneration generation;

    @BeforeAll
    static void start() {
        kernels = new VectorKernels(2);
        generation = RandomModel.generation(1, 99);
    }

    @AfterAll
    static void stop() {
        kernels.close();
    }

    @Test
    void aDecodeRowGetsTheSameLogitsAloneAndInABatch() {
        DecoderModel model = new DecoderModel(RandomModel.DEFINITION, kernels);
        DecoderWeights weights = DecoderWeights.of(generation);
        KvCache[] caches = prefilled(model, weights);
        int rows = caches.length;
        int vocab = RandomModel.SPEC.vocabSize();

        float[][] alone = new float[rows][];
        for (int r = 0; r < rows; r++) {
            KvCache copy = caches[r].copy(PROMPT_LENGTHS[r]);
            alone[r] = model.forward(weights, ForwardBatch.prefill(new int[] {token(r)}, PROMPT_LENGTHS[r], copy));
        }

        int[] tokens = new int[rows];
        int[] positions = new int[rows];
        KvCache[] copies = new KvCache[rows];
        boolean[] want = new boolean[rows];
        for (int r = 0; r < rows; r++) {
            tokens[r] = token(r);
            positions[r] = PROMPT_LENGTHS[r];
            copies[r] = caches[r].copy(PROMPT_LENGTHS[r]);
            want[r] = true;
        }
        float[] batched = model.forward(weights, new ForwardBatch(tokens, positions, copies, want));
        for (int r = 0; r < rows; r++) {
            assertThat(Arrays.copyOfRange(batched, r * vocab, (r + 1) * vocab)).as("row %d", r).containsExactly(alone[r]);
        }
    }

    @Test
    void concurrentCallersOnOneModelGetTheirOwnResults() throws Exception {
        DecoderModel model = new DecoderModel(RandomModel.DEFINITION, kernels);
        DecoderWeights weights = DecoderWeights.of(generation);
        float[][] sequential = new float[PROMPT_LENGTHS.length][];
        for (int r = 0; r < PROMPT_LENGTHS.length; r++) {
            sequential[r] = model.forward(weights, ForwardBatch.prefill(prompt(r), 0, model.newCache()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 20; round++) {
                List<Future<float[]>> results = new java.util.ArrayList<>();
                for (int r = 0; r < PROMPT_LENGTHS.length; r++) {
                    int[] prompt = prompt(r);
                    results.add(pool.submit(() -> model.forward(weights, ForwardBatch.prefill(prompt, 0, model.newCache()))));
                }
                for (int r = 0; r < PROMPT_LENGTHS.length; r++) {
                    assertThat(results.get(r).get()).as("round %d prompt %d", round, r).containsExactly(sequential[r]);
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    private static KvCache[] prefilled(DecoderModel model, DecoderWeights weights) {
        KvCache[] caches = new KvCache[PROMPT_LENGTHS.length];
        for (int r = 0; r < caches.length; r++) {
            caches[r] = model.newCache();
            model.forward(weights, ForwardBatch.prefill(prompt(r), 0, caches[r]));
        }
        return caches;
    }

    private static int[] prompt(int r) {
        int[] prompt = new int[PROMPT_LENGTHS[r]];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = (7 * i + 13 * r + 1) % RandomModel.SPEC.vocabSize();
        }
        return prompt;
    }

    private static int token(int r) {
        return (5 * r + 2) % RandomModel.SPEC.vocabSize();
    }
}
