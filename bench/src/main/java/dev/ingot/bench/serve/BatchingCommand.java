package dev.ingot.bench.serve;

import dev.ingot.bench.BenchOptions;
import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.schedule.GenerationEvent;
import dev.ingot.engine.schedule.GenerationRequest;
import dev.ingot.engine.schedule.GenerationStream;
import dev.ingot.engine.schedule.Scheduler;
import dev.ingot.engine.schedule.SchedulerConfig;
import dev.ingot.engine.schedule.SequenceResult;
import dev.ingot.engine.weights.WeightStore;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bench/run batching}: aggregate decode throughput of the continuous-batching scheduler at
 * several batch sizes on a Llama of about 110M parameters with random BF16 weights, each as a ratio
 * to batch 1 measured in the same run. Every sequence has the same prompt length and token budget,
 * so a batch of B produces B times the tokens of batch 1 in (ideally) about the same number of steps.
 * Decoding is greedy so the numbers measure batching and the model rather than the sampler.
 */
public final class BatchingCommand {

    private static final int PROMPT_TOKENS = 16;
    /** The batch sizes the issue asks for, used unless {@code --batches} says otherwise. */
    static final List<Integer> DEFAULT_BATCHES = List.of(1, 4, 16, 64);

    private BatchingCommand() {}

    public static void run(BenchOptions options, boolean batchesGiven, PrintStream out) throws Exception {
        List<Integer> batches = batchesGiven ? options.batches().stream().map(Integer::parseInt).toList() : DEFAULT_BATCHES;
        int maxTokens = options.quick() ? 16 : 48;
        RandomLlama llama = RandomLlama.about110M();
        out.printf("model: %s, %.1fM parameters, BF16 random weights%n", llama.describe(), llama.parameters() / 1e6);
        try (Kernels kernels = Kernels.best(options.threads()); WeightStore store = new WeightStore(llama.generation(1))) {
            DecoderModel model = new DecoderModel(llama.definition(), kernels);
            out.println("kernels: " + kernels.describe());
            out.printf("each sequence: %d prompt tokens, %d generated%n%n", PROMPT_TOKENS, maxTokens);
            out.printf("%6s  %12s  %10s  %12s  %10s  %6s%n", "batch", "tokens/s", "vs batch 1", "decode tok/s", "vs batch 1",
                    "steps");
            runOnce(model, store, llama, 1, Math.min(8, maxTokens)); // warm-up: C2 compiles the kernels
            // Batch 1 is always measured, first: every ratio is against it, in this run.
            Measurement single = runOnce(model, store, llama, 1, maxTokens);
            for (int batch : batches) {
                Measurement m = batch == 1 ? single : runOnce(model, store, llama, batch, maxTokens);
                out.printf("%6d  %12.1f  %9.2fx  %12.1f  %9.2fx  %6d%n", batch, m.tokensPerSecond(),
                        m.tokensPerSecond() / single.tokensPerSecond(), m.decodePerSecond(),
                        m.decodePerSecond() / single.decodePerSecond(), m.steps());
            }
        }
    }

    /**
     * @param tokensPerSecond generated tokens over the whole wall time, prompts' prefill included
     * @param decodePerSecond tokens after every sequence has its first one, over the time from then on
     */
    private record Measurement(double tokensPerSecond, double decodePerSecond, long steps) {}

    /** B requests at once, each greedy with its own prompt; tokens/s over the wall time of the whole batch. */
    private static Measurement runOnce(DecoderModel model, WeightStore store, RandomLlama llama, int batch, int maxTokens)
            throws InterruptedException {
        Scheduler scheduler = Scheduler.start(model, store, llama.tokenizer(), new SchedulerConfig(batch, 512));
        try {
            List<GenerationStream> streams = new ArrayList<>();
            AtomicLong lastFirstToken = new AtomicLong();
            long start = System.nanoTime();
            for (int i = 0; i < batch; i++) {
                GenerationStream stream = new GenerationStream();
                int[] prompt = llama.prompt(PROMPT_TOKENS, i);
                AtomicBoolean started = new AtomicBoolean();
                scheduler.submit(GenerationRequest.greedy(prompt, maxTokens), event -> {
                    if (event instanceof GenerationEvent.Token && !started.getAndSet(true)) {
                        lastFirstToken.accumulateAndGet(System.nanoTime(), Math::max);
                    }
                    stream.on(event);
                });
                streams.add(stream);
            }
            long tokens = 0;
            for (GenerationStream stream : streams) {
                for (SequenceResult r : stream.awaitResults(1)) {
                    tokens += r.tokens().size();
                }
            }
            long end = System.nanoTime();
            scheduler.close(); // joins the scheduler thread, so its step count is final
            double decodeSeconds = (end - lastFirstToken.get()) / 1e9;
            return new Measurement(tokens / ((end - start) / 1e9), (tokens - batch) / decodeSeconds, scheduler.steps());
        } finally {
            scheduler.close();
        }
    }
}
