package dev.ingot.bench.rollout;

import dev.ingot.bench.BenchOptions;
import dev.ingot.bench.serve.RandomLlama;
import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kv.BlockPool;
import dev.ingot.engine.kv.KvCacheConfig;
import dev.ingot.engine.kv.KvDtype;
import dev.ingot.engine.kv.PagedKvCache;
import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.model.DecoderWeights;
import dev.ingot.engine.model.ForwardBatch;
import dev.ingot.engine.model.KvCache;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.schedule.GenerationEvent;
import dev.ingot.engine.schedule.GenerationRequest;
import dev.ingot.engine.schedule.GenerationStream;
import dev.ingot.engine.schedule.Scheduler;
import dev.ingot.engine.schedule.SchedulerConfig;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.engine.weights.WeightStore;
import dev.ingot.spi.model.ModelSpec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * {@code bench/run rollout}: GRPO-style group sampling. {@code n} samples of one 1,000-token prompt, 128
 * new tokens each, on a synthetic Llama (110M, or 15M with {@code --quick}) with random BF16 weights. Every
 * figure is a ratio to the prefill of one sample measured in the same run:
 * <ul>
 *   <li>sharing on: one request with {@code n} choices, which prefill the prompt once and share its blocks;
 *   <li>sharing off: {@code n} separate requests with the prefix cache off, each prefilling the prompt.
 * </ul>
 * Then single-sequence decode at a 1,000-token context with the paged cache (F32, BF16) against the heap
 * cache it replaced, as ratios to the heap cache.
 */
public final class RolloutCommand {

    private static final int PROMPT = 1000;
    private static final int NEW_TOKENS = 128;
    private static final List<Integer> SAMPLES = List.of(1, 8, 32);
    private static final long KV_BUDGET = 4L << 30;

    private RolloutCommand() {}

    public static void run(String[] args, PrintStream out) throws Exception {
        BenchOptions options = BenchOptions.parse(Arrays.stream(args).filter(a -> !a.startsWith("--no-decode") && !a.equals("--decode-only"))
                .toArray(String[]::new));
        boolean decode = !Arrays.asList(args).contains("--no-decode");
        boolean sampling = !Arrays.asList(args).contains("--decode-only");
        RandomLlama llama = new RandomLlama(options.quick() ? about15M() : about110M());
        out.printf("model: %s, %.1fM parameters, BF16 random weights; prompt %d tokens, %d new tokens per sample%n",
                llama.describe(), llama.parameters() / 1e6, PROMPT, NEW_TOKENS);
        try (Kernels kernels = Kernels.best(options.threads()); WeightStore store = new WeightStore(llama.generation(1))) {
            DecoderModel model = new DecoderModel(llama.definition(), kernels);
            out.println("kernels: " + kernels.describe());
            int[] prompt = llama.prompt(PROMPT, 7);
            if (!sampling) {
                decodeTable(model, store, llama, prompt, out);
                return;
            }
            group(model, store, llama, prompt, 2, 8, true); // warm-up: C2 compiles the kernels
            Timing first = group(model, store, llama, prompt, 1, 1, true);
            Timing second = group(model, store, llama, prompt, 1, 1, true);
            Timing prefill = first.total() < second.total() ? first : second;
            out.printf("%nprefill of one sample (1,000 tokens and its first token): %.2f s = 1.00x%n%n", prefill.total());
            out.printf("%4s  %-12s  %10s  %14s  %10s  %14s  %12s%n", "n", "sharing", "all first", "vs prefill", "all done",
                    "vs prefill", "off / on");
            for (int n : SAMPLES) {
                Timing on = group(model, store, llama, prompt, n, NEW_TOKENS, true);
                Timing off = n == 1 ? on : separate(model, store, llama, prompt, n);
                row(out, n, "on", on, prefill, Double.NaN);
                if (n > 1) {
                    row(out, n, "off", off, prefill, off.total() / on.total());
                }
            }
            if (decode) {
                decodeTable(model, store, llama, prompt, out);
            }
        }
    }

    private static void row(PrintStream out, int n, String sharing, Timing t, Timing prefill, double offOverOn) {
        out.printf("%4d  %-12s  %9.2fs  %13.2fx  %9.2fs  %13.2fx  %12s%n", n, sharing, t.firstTokens(),
                t.firstTokens() / prefill.total(), t.total(), t.total() / prefill.total(),
                Double.isNaN(offOverOn) ? "" : String.format("%.2fx", offOverOn));
    }

    /** GPT-2-small widths with a Llama block and a context for prompt plus samples. */
    static ModelSpec about110M() {
        return ModelSpec.builder().hiddenSize(768).layers(12).heads(12).kvHeads(12).ffnSize(2048)
                .vocabSize(32000).tiedEmbeddings(true).maxPositions(2048).bosTokenId(1).eosTokenIds(List.of()).build();
    }

    /** llama2.c's stories15M shape. */
    static ModelSpec about15M() {
        return ModelSpec.builder().hiddenSize(288).layers(6).heads(6).kvHeads(6).ffnSize(768)
                .vocabSize(32000).tiedEmbeddings(true).maxPositions(2048).bosTokenId(1).eosTokenIds(List.of()).build();
    }

    /**
     * @param firstTokens seconds until every sample has its first token: what the prompt cost
     * @param total       seconds until every sample is done
     */
    private record Timing(double firstTokens, double total) {}

    /** One request with {@code n} sampled choices. */
    private static Timing group(DecoderModel model, WeightStore store, RandomLlama llama, int[] prompt, int n, int maxTokens,
            boolean prefixCache) throws InterruptedException {
        return timed(model, store, llama, n, prefixCache, 1,
                i -> new GenerationRequest(prompt, new SamplingParams(1.0, 1.0, 0, 42), n, maxTokens, 0, List.of()));
    }

    /** {@code n} requests of one sample each, the prefix cache off: every one prefills the prompt. */
    private static Timing separate(DecoderModel model, WeightStore store, RandomLlama llama, int[] prompt, int n)
            throws InterruptedException {
        return timed(model, store, llama, n, false, n,
                i -> new GenerationRequest(prompt, new SamplingParams(1.0, 1.0, 0, 42 + i), 1, NEW_TOKENS, 0, List.of()));
    }

    private static Timing timed(DecoderModel model, WeightStore store, RandomLlama llama, int sequences, boolean prefixCache,
            int requests, IntFunction<GenerationRequest> request) throws InterruptedException {
        SchedulerConfig config = new SchedulerConfig(Math.max(32, sequences), 512,
                new KvCacheConfig(KvDtype.F32, KV_BUDGET, prefixCache));
        try (Scheduler scheduler = Scheduler.start(model, store, llama.tokenizer(), config)) {
            AtomicInteger started = new AtomicInteger();
            AtomicLong allStarted = new AtomicLong();
            List<GenerationStream> streams = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                GenerationStream stream = new GenerationStream();
                GenerationRequest r = request.apply(i);
                boolean[] seen = new boolean[r.n()];
                scheduler.submit(r, event -> {
                    if (event instanceof GenerationEvent.Token t && !seen[t.choice()]) {
                        seen[t.choice()] = true;
                        if (started.incrementAndGet() == sequences) {
                            allStarted.set(System.nanoTime());
                        }
                    }
                    stream.on(event);
                });
                streams.add(stream);
            }
            for (int i = 0; i < requests; i++) {
                streams.get(i).awaitResults(request.apply(i).n());
            }
            long end = System.nanoTime();
            return new Timing((allStarted.get() - start) / 1e9, (end - start) / 1e9);
        }
    }

    /** One sequence: prefill the prompt, then time {@link #NEW_TOKENS} decode steps; tokens per second. */
    private static double decodeRate(DecoderModel model, DecoderWeights weights, int[] prompt, KvCache cache) {
        int chunk = 512;
        for (int from = 0; from < prompt.length; from += chunk) {
            model.forward(weights, ForwardBatch.prefill(Arrays.copyOfRange(prompt, from, Math.min(prompt.length, from + chunk)), from, cache));
        }
        long start = System.nanoTime();
        for (int i = 0; i < NEW_TOKENS; i++) {
            model.forward(weights, ForwardBatch.prefill(new int[] {3 + i}, prompt.length + i, cache));
        }
        return NEW_TOKENS / ((System.nanoTime() - start) / 1e9);
    }

    private static void decodeTable(DecoderModel model, WeightStore store, RandomLlama llama, int[] prompt, PrintStream out) {
        int context = prompt.length + NEW_TOKENS;
        WeightGeneration generation = store.acquire();
        try {
            DecoderWeights weights = DecoderWeights.of(generation);
            String[] names = {"heap float[] (before)", "paged F32", "paged BF16"};
            int rounds = 5;
            double[][] rates = new double[3][rounds];
            for (int round = 0; round < rounds; round++) { // interleaved: drift hits all three alike
                rates[0][round] = decodeRate(model, weights, prompt, model.newHeapCache(context));
                rates[1][round] = decodeRate(model, weights, prompt, model.newCache(context));
                rates[2][round] = decodeRate(model, weights, prompt,
                        new PagedKvCache(BlockPool.growable(model.kvLayout(KvDtype.BF16), context), context));
            }
            out.printf("%nsingle-sequence decode at context %d..%d (%d interleaved rounds; best, and the spread of rounds)%n",
                    prompt.length, context, rounds);
            out.printf("%-22s  %10s  %15s  %8s  %22s%n", "KV cache", "tokens/s", "spread", "vs heap", "per-round vs heap");
            double heapBest = Arrays.stream(rates[0]).max().orElseThrow();
            for (int i = 0; i < 3; i++) {
                double[] r = rates[i];
                double[] perRound = new double[rounds];
                for (int round = 0; round < rounds; round++) {
                    perRound[round] = r[round] / rates[0][round];
                }
                out.printf("%-22s  %10.1f  %6.1f..%-7.1f  %7.2fx  %9.2fx..%.2fx%n", names[i], Arrays.stream(r).max().orElseThrow(),
                        Arrays.stream(r).min().orElseThrow(), Arrays.stream(r).max().orElseThrow(),
                        Arrays.stream(r).max().orElseThrow() / heapBest,
                        Arrays.stream(perRound).min().orElseThrow(), Arrays.stream(perRound).max().orElseThrow());
            }
        } finally {
            generation.unpin();
        }
    }
}
