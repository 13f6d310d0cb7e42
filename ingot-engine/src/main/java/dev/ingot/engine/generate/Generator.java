package dev.ingot.engine.generate;

import dev.ingot.engine.model.ForwardBatch;
import dev.ingot.engine.kv.BlockPool;
import dev.ingot.engine.kv.KvCacheConfig;
import dev.ingot.engine.kv.PagedKvCache;
import dev.ingot.engine.model.KvCache;
import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.model.DecoderWeights;
import dev.ingot.engine.sample.SampledToken;
import dev.ingot.engine.sample.Sampler;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.tokenizer.PromptBos;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.engine.weights.WeightStore;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Generates one sequence at a time: the command line's path. Each step pins the current weight
 * generation, so a swap lands between steps. (The server batches many sequences with the scheduler.)
 */
public final class Generator {

    private final DecoderModel model;
    private final WeightStore weights;
    private final Tokenizer tokenizer;
    private final Set<Integer> stopTokens = new HashSet<>();
    /** A budgeted pool per generation, or null for the model's private growable F32 cache. */
    private final KvCacheConfig kvCache;

    public Generator(LoadedModel loaded) {
        this(loaded.model(), loaded.weights(), loaded.tokenizer());
    }

    public Generator(DecoderModel model, WeightStore weights, Tokenizer tokenizer) {
        this(model, weights, tokenizer, null);
    }

    private Generator(DecoderModel model, WeightStore weights, Tokenizer tokenizer, KvCacheConfig kvCache) {
        this.model = model;
        this.weights = weights;
        this.tokenizer = tokenizer;
        this.kvCache = kvCache;
        ModelSpec spec = model.spec();
        stopTokens.addAll(spec.eosTokenIds());
        if (tokenizer.eosId() >= 0) {
            stopTokens.add(tokenizer.eosId());
        }
    }

    /** This generator with its KV cache in a pool of that dtype and budget ({@code ingot generate --kv-cache-*}). */
    public Generator withKvCache(KvCacheConfig config) {
        return new Generator(model, weights, tokenizer, config);
    }

    /**
     * The encoded text, after BOS when the tokenizer's prompts start with one (Qwen's do not, though its
     * config.json names a BOS id), before EOS when its {@code add_eos_token} says so; the model's BOS id
     * is preferred to the tokenizer's.
     */
    public int[] encodePrompt(String text) {
        return PromptBos.surround(tokenizer, model.spec().bosTokenId(), tokenizer.encode(text));
    }

    /**
     * Generates up to {@code maxTokens} tokens after {@code prompt}, calling {@code onToken} as each is
     * chosen. Ends early on an end-of-sequence token or at the model's context.
     */
    public Completion generate(int[] prompt, SamplingParams params, int maxTokens, int topLogprobs, Consumer<SampledToken> onToken) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty and the model has no BOS token to start from");
        }
        int context = model.spec().maxPositions();
        if (prompt.length >= context) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; the model's context is " + context);
        }
        if (kvCache == null) {
            return generate(prompt, params, maxTokens, topLogprobs, onToken, model.newCache());
        }
        try (BlockPool pool = BlockPool.budgeted(model.kvLayout(kvCache.dtype()), kvCache.bytes())) {
            return generate(prompt, params, maxTokens, topLogprobs, onToken, new PagedKvCache(pool, model.spec().maxPositions()));
        }
    }

    private Completion generate(int[] prompt, SamplingParams params, int maxTokens, int topLogprobs, Consumer<SampledToken> onToken,
            KvCache cache) {
        int context = model.spec().maxPositions();
        Sampler sampler = new Sampler(params);
        List<SampledToken> out = new ArrayList<>();
        long firstVersion = -1;
        long lastVersion = -1;
        ForwardBatch batch = ForwardBatch.prefill(prompt, 0, cache);
        int position = prompt.length;
        FinishReason reason = FinishReason.LENGTH;
        while (out.size() < maxTokens) {
            WeightGeneration generation = weights.acquire();
            float[] logits;
            try {
                logits = model.forward(DecoderWeights.of(generation), batch);
                lastVersion = generation.version();
                if (firstVersion < 0) {
                    firstVersion = lastVersion;
                }
            } finally {
                generation.unpin();
            }
            SampledToken next = sampler.sample(logits, 0, model.spec().vocabSize(), topLogprobs);
            out.add(next);
            onToken.accept(next);
            if (stopTokens.contains(next.token())) {
                reason = FinishReason.STOP;
                break;
            }
            if (position >= context) {
                break;
            }
            batch = ForwardBatch.prefill(new int[] {next.token()}, position, cache);
            position++;
        }
        return new Completion(prompt, out, reason, firstVersion, lastVersion);
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }
}
