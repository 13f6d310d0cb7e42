package dev.ingot.engine.sample;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Picks tokens for one sequence. Its random stream is seeded per request, so a request gives the
 * same tokens whether it runs alone or in a batch.
 */
public final class Sampler {

    private final SamplingParams params;
    private final SplittableRandom random;

    public Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    public SamplingParams params() {
        return params;
    }

    /** Samples from {@code logits[offset, offset + vocab)}, reporting {@code topLogprobs} alternatives. */
    public SampledToken sample(float[] logits, int offset, int vocab, int topLogprobs) {
        double logSumExp = logSumExp(logits, offset, vocab);
        int token = params.isGreedy() ? argmax(logits, offset, vocab) : sampleToken(logits, offset, vocab);
        float logprob = (float) (logits[offset + token] - logSumExp);
        List<SampledToken.TokenLogprob> top = topLogprobs > 0 ? top(logits, offset, vocab, topLogprobs, logSumExp) : List.of();
        return new SampledToken(token, logprob, top);
    }

    /** The first index of the largest logit (ties go to the lower id, as llama2.c does). */
    static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        float max = logits[offset];
        for (int i = 1; i < vocab; i++) {
            if (logits[offset + i] > max) {
                max = logits[offset + i];
                best = i;
            }
        }
        return best;
    }

    private int sampleToken(float[] logits, int offset, int vocab) {
        int[] candidates = candidates(logits, offset, vocab);
        double[] probs = new double[candidates.length];
        double max = logits[offset + candidates[0]];
        double sum = 0;
        for (int i = 0; i < candidates.length; i++) {
            probs[i] = Math.exp((logits[offset + candidates[i]] - max) / params.temperature());
            sum += probs[i];
        }
        int keep = candidates.length;
        if (params.topP() < 1) {
            double cumulative = 0;
            for (int i = 0; i < candidates.length; i++) {
                cumulative += probs[i] / sum;
                if (cumulative >= params.topP()) {
                    keep = i + 1;
                    break;
                }
            }
            sum = 0;
            for (int i = 0; i < keep; i++) {
                sum += probs[i];
            }
        }
        double r = random.nextDouble() * sum;
        double acc = 0;
        for (int i = 0; i < keep; i++) {
            acc += probs[i];
            if (r < acc) {
                return candidates[i];
            }
        }
        return candidates[keep - 1];
    }

    /** Token ids sorted by logit, descending; cut to top-k when set. Ties keep id order. */
    private int[] candidates(float[] logits, int offset, int vocab) {
        Integer[] ids = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            ids[i] = i;
        }
        Arrays.sort(ids, (a, b) -> Float.compare(logits[offset + b], logits[offset + a]));
        int n = params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = ids[i];
        }
        return out;
    }

    private static List<SampledToken.TokenLogprob> top(float[] logits, int offset, int vocab, int k, double logSumExp) {
        int n = Math.min(k, vocab);
        int[] best = new int[n];
        Arrays.fill(best, -1);
        for (int i = 0; i < vocab; i++) {
            float value = logits[offset + i];
            int slot = n;
            while (slot > 0 && (best[slot - 1] < 0 || logits[offset + best[slot - 1]] < value)) {
                slot--;
            }
            if (slot < n) {
                System.arraycopy(best, slot, best, slot + 1, n - slot - 1);
                best[slot] = i;
            }
        }
        List<SampledToken.TokenLogprob> out = new ArrayList<>(n);
        for (int id : best) {
            out.add(new SampledToken.TokenLogprob(id, (float) (logits[offset + id] - logSumExp)));
        }
        return out;
    }

    static double logSumExp(float[] logits, int offset, int vocab) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        return max + Math.log(sum);
    }
}
