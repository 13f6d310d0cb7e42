package dev.ingot.server.http;

import dev.ingot.engine.kernel.ScalarKernels;
import dev.ingot.engine.model.ForwardBatch;
import dev.ingot.engine.model.KvCache;
import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.model.DecoderWeights;
import dev.ingot.engine.weights.WeightGeneration;
import java.util.List;

/**
 * The model's log-probabilities computed apart from the server: one forward pass of the whole token
 * sequence on the scalar reference kernels, log-softmax in double.
 */
final class ReferenceLogits {

    private ReferenceLogits() {}

    /** Row {@code i} is the distribution of the token after {@code tokens[0..i]}. */
    static double[][] logSoftmax(WeightGeneration weights, List<Integer> tokens) {
        DecoderModel model = new DecoderModel(weights.model(), new ScalarKernels());
        int n = tokens.size();
        int[] ids = tokens.stream().mapToInt(Integer::intValue).toArray();
        int[] positions = new int[n];
        KvCache[] caches = new KvCache[n];
        boolean[] want = new boolean[n];
        KvCache cache = model.newCache();
        for (int i = 0; i < n; i++) {
            positions[i] = i;
            caches[i] = cache;
            want[i] = true;
        }
        float[] logits = model.forward(DecoderWeights.of(weights), new ForwardBatch(ids, positions, caches, want));
        int vocab = weights.spec().vocabSize();
        double[][] out = new double[n][vocab];
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits[r * vocab + v]);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                sum += Math.exp(logits[r * vocab + v] - max);
            }
            double logZ = max + Math.log(sum);
            for (int v = 0; v < vocab; v++) {
                out[r][v] = logits[r * vocab + v] - logZ;
            }
        }
        return out;
    }
}
