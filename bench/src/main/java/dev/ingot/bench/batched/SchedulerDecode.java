package dev.ingot.bench.batched;

import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.kv.BlockLayout;
import dev.ingot.engine.kv.KvCacheConfig;
import dev.ingot.engine.kv.KvDtype;
import dev.ingot.engine.sample.ResponseGrammar;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.schedule.GenerationEvent;
import dev.ingot.engine.schedule.GenerationRequest;
import dev.ingot.engine.schedule.GenerationStream;
import dev.ingot.engine.schedule.Scheduler;
import dev.ingot.engine.schedule.SchedulerConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Ingot's side of {@code llama-batched-bench}: {@code parallel} sequences, each with its own random
 * {@code promptTokens}-token prompt, submitted to the continuous-batching scheduler at once; each then
 * decodes {@code generated} tokens after the one its prefill samples (llama-batched-bench's {@code -ntg}
 * counts decode steps after the prompt pass, whose logits it does not sample).
 *
 * <p>Decode speed is measured the way llama-batched-bench reports {@code S_TG}: generated tokens over the
 * time of the decode steps, prefill excluded. The decode phase starts when the last sequence has its first
 * token (every prompt is in the KV cache), and only tokens sampled after that count. The prefill budget per
 * step holds every prompt, so all sequences normally start in the same step or the next, as they do in
 * llama.cpp, where all prompts go through before the first decode step.
 */
final class SchedulerDecode {

    /**
     * @param prefillSeconds from submitting to the last sequence's first token
     * @param decodeSeconds  from then to the last token
     * @param decodeTokens   tokens sampled in that time, over all sequences
     */
    record Result(double prefillSeconds, double decodeSeconds, long decodeTokens, long promptTokens) {
        double decodeTokensPerSecond() {
            return decodeTokens / decodeSeconds;
        }

        double prefillTokensPerSecond() {
            return promptTokens / prefillSeconds;
        }
    }

    /** EOS must not end a sequence early: llama-batched-bench always runs its {@code -ntg} steps. */
    private static final GenerationRequest.Ending RUN_TO_LENGTH =
            new GenerationRequest.Ending(Set.of(), true, 0, false, true, ResponseGrammar.TEXT);

    private SchedulerDecode() {}

    /**
     * @param preallocate whether the KV cache is allocated when the scheduler starts, sized to the run, as
     *                    llama-batched-bench's context is ({@code -c}, every sequence's prompt and generated
     *                    tokens) before it times anything; otherwise the default budget, allocated block by block
     *                    during the run (each fresh block zeroed and faulted in on the scheduler thread)
     */
    static Result run(LoadedModel loaded, KvDtype kvDtype, int parallel, int promptTokens, int generated, long seed,
            boolean preallocate) throws InterruptedException {
        // No prefix cache: each prompt is distinct anyway, and llama-batched-bench (without -pps) shares nothing.
        KvCacheConfig kv = KvCacheConfig.withDefaultBudget(kvDtype).withPrefixCache(false);
        if (preallocate) {
            BlockLayout layout = loaded.model().kvLayout(kvDtype);
            long blocks = (long) parallel * layout.blocksFor(promptTokens + generated + 1);
            kv = new KvCacheConfig(kvDtype, blocks * layout.blockBytes(), false, true);
        }
        SchedulerConfig config = new SchedulerConfig(parallel, parallel * promptTokens, kv);
        int vocab = loaded.spec().vocabSize();
        long[][] tokenTimes = new long[parallel][generated + 1];
        int[] produced = new int[parallel];
        try (Scheduler scheduler = Scheduler.start(loaded, config)) {
            List<GenerationStream> streams = new ArrayList<>();
            long start = System.nanoTime();
            java.time.Instant wallStart = java.time.Instant.now();
            for (int i = 0; i < parallel; i++) {
                int sequence = i;
                GenerationStream stream = new GenerationStream();
                GenerationRequest request = new GenerationRequest(randomPrompt(vocab, promptTokens, seed * 1_000 + i),
                        SamplingParams.greedy(), 1, generated + 1, 0, List.of(), false, 0, RUN_TO_LENGTH);
                scheduler.submit(request, event -> {
                    // Runs on the scheduler thread; the arrays are read after every stream has finished.
                    if (event instanceof GenerationEvent.Token) {
                        tokenTimes[sequence][produced[sequence]++] = System.nanoTime();
                    }
                    stream.on(event);
                });
                streams.add(stream);
            }
            for (GenerationStream stream : streams) {
                stream.awaitResults(1);
            }
            long decodeStart = Arrays.stream(tokenTimes).mapToLong(t -> t[0]).max().orElseThrow();
            long end = Arrays.stream(tokenTimes).mapToLong(t -> t[t.length - 1]).max().orElseThrow();
            long decodeTokens = Arrays.stream(tokenTimes).flatMapToLong(Arrays::stream).filter(t -> t > decodeStart).count();
            for (int count : produced) {
                if (count != generated + 1) {
                    throw new IllegalStateException("a sequence ended after " + count + " of " + (generated + 1) + " tokens");
                }
            }
            if (Boolean.getBoolean("bench.decodeWindow")) {
                // For a profile of the decode phase alone (JFR samples between these instants; see bench/RESULTS.md).
                System.err.printf("decode window npl %d: %s %s%n", parallel, wallStart.plusNanos(decodeStart - start),
                        wallStart.plusNanos(end - start));
            }
            return new Result((decodeStart - start) / 1e9, (end - decodeStart) / 1e9, decodeTokens, (long) parallel * promptTokens);
        }
    }

    /** Token ids drawn from the vocabulary past the three specials, like llama-batched-bench's random prompts. */
    private static int[] randomPrompt(int vocab, int length, long seed) {
        Random random = new Random(seed);
        int[] prompt = new int[length];
        for (int i = 0; i < length; i++) {
            prompt[i] = 3 + random.nextInt(vocab - 3);
        }
        return prompt;
    }
}
