package dev.ingot.engine.sample;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Picks tokens for one sequence. Its random stream is seeded per request, so a request gives the
 * same tokens whether it runs alone or in a batch. With penalties it remembers the prompt and the
 * tokens it has picked (each {@link #sample} result counts as part of the completion).
 */
public final class Sampler {

    private final SamplingParams params;
    private final SplittableRandom random;
    /** Times each token occurs in the completion so far; null without penalties. */
    private final Map<Integer, Integer> outputCounts;
    /** Tokens of the prompt and the completion so far; null without penalties. */
    private final Set<Integer> seen;

    public Sampler(SamplingParams params) {
        this(params, new int[0]);
    }

    /** A sampler whose repetition penalty also counts the tokens of {@code prompt}. */
    public Sampler(SamplingParams params, int[] prompt) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
        if (params.needsHistory()) {
            outputCounts = new HashMap<>();
            seen = new HashSet<>();
            for (int token : prompt) {
                seen.add(token);
            }
        } else {
            outputCounts = null;
            seen = null;
        }
    }

    public SamplingParams params() {
        return params;
    }

    /** Samples from {@code logits[offset, offset + vocab)}, reporting {@code topLogprobs} alternatives. */
    public SampledToken sample(float[] logits, int offset, int vocab, int topLogprobs) {
        return sample(logits, offset, vocab, topLogprobs, NONE);
    }

    private static final int[] NONE = new int[0];

    /**
     * As {@link #sample(float[], int, int, int)}, never picking a token of {@code banned} (e.g. EOS before
     * {@code min_tokens}). The reported log-probabilities are those of the raw logits, as vLLM reports them.
     */
    public SampledToken sample(float[] logits, int offset, int vocab, int topLogprobs, int[] banned) {
        double logSumExp = logSumExp(logits, offset, vocab);
        float[] source = logits;
        int from = offset;
        if (params.adjustsLogits() || banned.length > 0) {
            source = adjusted(logits, offset, vocab, banned);
            from = 0;
        }
        int token = params.isGreedy() ? argmax(source, from, vocab) : sampleToken(source, from, vocab);
        float logprob = (float) (logits[offset + token] - logSumExp);
        List<SampledToken.TokenLogprob> top = topLogprobs > 0 ? top(logits, offset, vocab, topLogprobs, logSumExp) : List.of();
        if (outputCounts != null) {
            outputCounts.merge(token, 1, Integer::sum);
            seen.add(token);
        }
        return new SampledToken(token, logprob, top, SampledToken.rank(logits, offset, vocab, token));
    }

    /** The logits the choice is made from: bias, penalties, then the banned tokens at minus infinity. */
    float[] adjusted(float[] logits, int offset, int vocab, int[] banned) {
        float[] out = Arrays.copyOfRange(logits, offset, offset + vocab);
        for (Map.Entry<Integer, Float> bias : params.logitBias().entrySet()) {
            int id = bias.getKey();
            if (id >= 0 && id < vocab) {
                out[id] += bias.getValue();
            }
        }
        if (seen != null) {
            float penalty = (float) params.repetitionPenalty();
            if (penalty != 1) {
                for (int id : seen) {
                    if (id >= 0 && id < vocab) {
                        out[id] = out[id] > 0 ? out[id] / penalty : out[id] * penalty;
                    }
                }
            }
            for (Map.Entry<Integer, Integer> count : outputCounts.entrySet()) {
                int id = count.getKey();
                if (id >= 0 && id < vocab) {
                    out[id] -= (float) (params.frequencyPenalty() * count.getValue() + params.presencePenalty());
                }
            }
        }
        for (int id : banned) {
            if (id >= 0 && id < vocab) {
                out[id] = Float.NEGATIVE_INFINITY;
            }
        }
        return out;
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
        double temperature = params.temperature();
        float max = logits[offset + argmax(logits, offset, vocab)];
        double[] weights = new double[vocab];
        double total = 0;
        for (int i = 0; i < vocab; i++) {
            weights[i] = Math.exp((logits[offset + i] - max) / temperature);
            total += weights[i];
        }
        if (params.minP() > 0) {
            // The likeliest token weighs exp(0) = 1, so the floor is min_p itself. The total is summed
            // again in draw's order, so a draw cannot run past the last kept token.
            total = 0;
            for (int i = 0; i < vocab; i++) {
                if (weights[i] < params.minP()) {
                    weights[i] = 0;
                }
                total += weights[i];
            }
        }
        if (params.topK() == 0 && params.topP() >= 1) {
            return draw(weights, null, vocab, total);
        }
        int[] candidates = candidates(logits, offset, vocab, weights, total);
        int keep = candidates.length;
        double kept = 0;
        for (int i = 0; i < candidates.length; i++) {
            kept += weights[candidates[i]];
        }
        if (params.topP() < 1) {
            // The nucleus is measured against the distribution top-k left, or the whole one.
            double mass = params.topK() > 0 ? kept : total;
            double cumulative = 0;
            for (int i = 0; i < candidates.length; i++) {
                cumulative += weights[candidates[i]];
                if (cumulative >= params.topP() * mass) {
                    keep = i + 1;
                    break;
                }
            }
            kept = cumulative;
        }
        return draw(weights, candidates, keep, kept);
    }

    /** Draws from {@code weights} restricted to the first {@code count} of {@code ids} (all ids when null). */
    private int draw(double[] weights, int[] ids, int count, double total) {
        double r = random.nextDouble() * total;
        double acc = 0;
        for (int i = 0; i < count; i++) {
            int id = ids == null ? i : ids[i];
            acc += weights[id];
            if (r < acc) {
                return id;
            }
        }
        return ids == null ? count - 1 : ids[count - 1];
    }

    /**
     * Token ids by logit, descending (ties by id), cut to top-k. With top-p alone, tokens whose
     * probability is below {@code (1 - p) / (vocab - 1)} cannot be in the nucleus (as llama2.c
     * observes) and are dropped before sorting, so the sort stays small.
     */
    private int[] candidates(float[] logits, int offset, int vocab, double[] weights, double total) {
        double floor = params.topK() == 0 ? (1 - params.topP()) / (vocab - 1) * total : -1;
        long[] keys = new long[vocab];
        int n = 0;
        for (int i = 0; i < vocab; i++) {
            if (weights[i] > 0 && weights[i] >= floor) {
                keys[n++] = ((long) descendingKey(logits[offset + i]) << 32) | i;
            }
        }
        Arrays.sort(keys, 0, n);
        int count = params.topK() > 0 ? Math.min(params.topK(), n) : n;
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) {
            ids[i] = (int) keys[i];
        }
        return ids;
    }

    /** An int that orders like {@code -value}: larger logits sort first. */
    private static int descendingKey(float value) {
        int bits = Float.floatToIntBits(-value);
        return bits ^ ((bits >> 31) & 0x7fffffff);
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
